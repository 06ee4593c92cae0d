package check

import (
	"strconv"
	"strings"
)

// Result is what an evaluation concludes: the state, line 1 without its
// "STATE: " prefix, the long output, and the performance data.
type Result struct {
	State   State
	Summary string
	Long    []string
	Perf    []Perf
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

// FormatNumber writes a metric or count the way performance data wants it:
// no exponent, no trailing zeros.
func FormatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Plural says "1 day" and "2 days".
func Plural(n int, one, many string) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}

// JoinNonEmpty joins the non-empty parts with sep.
func JoinNonEmpty(sep string, parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}
