package check

import (
	"math"
	"strconv"
)

// Result is what an evaluation concludes: the state, line 1 without its
// "STATE: " prefix, the parts judged, the long output, and the
// performance data.
type Result struct {
	State   State
	Summary string
	// Parts are what the check judged; each with a Line gets one line
	// under line 1, marked with its own state (see Format).
	Parts []Part
	// Long are the facts printed after the parts' lines, unmarked.
	Long []string
	Perf []Perf
}

// Perf is one performance data metric. Labels are fixed words chosen by the
// plugin, never server text.
type Perf struct {
	Label string
	Value float64
	UOM   string
	Warn  string
	Crit  string
	Min   string
	Max   string
}

// Fail is the result of anything that stops an evaluation before it starts:
// a usage error, an unreachable server, a document without the elements.
func Fail(state State, summary string) Result {
	return Result{State: state, Summary: summary}
}

// maxPlain is the longest number written out as a plain decimal. Counts
// and seconds fit easily; 1.7976931348623157e308 would take 309 digits.
const maxPlain = 20

// FormatNumber writes a count for people: a plain decimal without trailing
// zeros, or, when that would be longer than 20 characters, the shortest
// exponent form ("1.7976931348623157e+308").
func FormatNumber(v float64) string {
	if p, ok := perfNumber(v); ok {
		return p
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// perfNumber writes v as the plugin guidelines' performance data wants a
// value: a plain decimal ([-]digits[.digits]), no exponent, no trailing
// zeros. ok is false when v is not finite or its plain form would be longer
// than maxPlain characters: such a value is left out, not mangled.
func perfNumber(v float64) (string, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", false
	}
	if v == 0 {
		return "0", true // also for -0
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	return s, len(s) <= maxPlain
}

// Plural says "1 day" and "2 days".
func Plural(n int, one, many string) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}
