package check

import (
	"strconv"
	"strings"
)

// Range is a Nagios threshold range as the plugin guidelines define it and
// monitoring-plugins' parse_range_string reads it:
//
//	10      alert outside 0..10      @10     alert inside 0..10
//	10:     alert below 10           @10:    alert at 10 or above
//	~:10    alert above 10           @~:10   alert at 10 or below
//	10:20   alert outside 10..20     @10:20  alert inside 10..20
//	~:      never alerts (−∞..+∞)    @~:     always alerts
//
// Both ends are inclusive. A start above the end is refused, as
// parse_range_string refuses it.
type Range struct {
	// Spec is the range as the user wrote it, for messages.
	Spec string

	start, end       float64
	startInf, endInf bool
	inside           bool
	// colon records whether the user wrote "start:" so the range is
	// repeated in performance data in the form it was given.
	colon bool
}

// isNumber reports whether s is in the grammar of a range end: a plain
// decimal with an optional sign, fraction and exponent,
// [+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?. strtod's other inputs
// (hex, inf, nan, "1.2.3" read as 1.2) are refused rather than read as
// something else. Scanned by hand rather than with a regexp: compiling one
// at package init cost every run of a plugin, ranges given or not, about
// 0.1 ms (GODEBUG=inittrace=1).
func isNumber(s string) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	mantissa := digits()
	if i < len(s) && s[i] == '.' {
		i++
		mantissa += digits()
	}
	if mantissa == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// ParseRange parses a Nagios range.
func ParseRange(spec string) (Range, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return Range{}, Errorf("empty range")
	}
	r := Range{Spec: s, endInf: true}
	body := s
	if strings.HasPrefix(body, "@") {
		r.inside = true
		body = body[1:]
	}
	start, end, colon := strings.Cut(body, ":")
	r.colon = colon
	if !colon {
		start, end = "0", body
	}
	switch {
	case start == "~":
		r.startInf = true
	default:
		v, err := rangeNumber(start)
		if err != nil {
			return Range{}, Errorf("range %q: start %w", spec, err)
		}
		r.start = v
	}
	if end != "" || !colon {
		v, err := rangeNumber(end)
		if err != nil {
			return Range{}, Errorf("range %q: end %w", spec, err)
		}
		r.end, r.endInf = v, false
	}
	if !r.startInf && !r.endInf && r.start > r.end {
		return Range{}, Errorf("range %q: start is greater than end", spec)
	}
	return r, nil
}

func rangeNumber(s string) (float64, error) {
	if s == "" {
		return 0, Errorf("is missing")
	}
	if !isNumber(s) {
		return 0, Errorf("%q is not a number", s)
	}
	v, err := strconv.ParseFloat(s, 64)
	// An end goes into performance data as a plain decimal, where 1e300
	// would be 301 digits.
	if _, ok := perfNumber(v); err != nil || !ok {
		return 0, Errorf("%q is too large or too precise for performance data (at most %d characters as a plain number)", s, maxPlain)
	}
	return v, nil
}

// Alerts reports whether v raises an alert under the range, exactly as
// monitoring-plugins' check_range decides it.
func (r Range) Alerts(v float64) bool {
	within := (r.startInf || r.start <= v) && (r.endInf || v <= r.end)
	return within == r.inside
}

// String is the range for performance data: the form the user gave, with
// each number written as a plain decimal ("1e1:" becomes "10:").
func (r Range) String() string {
	var b strings.Builder
	if r.inside {
		b.WriteByte('@')
	}
	if r.colon {
		if r.startInf {
			b.WriteByte('~')
		} else {
			b.WriteString(FormatNumber(r.start))
		}
		b.WriteByte(':')
	}
	if !r.endInf {
		b.WriteString(FormatNumber(r.end))
	}
	return b.String()
}

// Describe says in words why v alerts, for line 1: "above 10", "below 5",
// "inside 10:20", "inside ~: (any value)".
func (r Range) Describe(v float64) string {
	switch {
	case r.inside:
		bounds := strings.TrimPrefix(r.String(), "@")
		if !r.colon {
			bounds = "0:" + bounds
		}
		if r.startInf && r.endInf {
			bounds += " (any value)"
		}
		return "inside " + bounds
	case !r.endInf && v > r.end:
		return "above " + FormatNumber(r.end)
	default:
		return "below " + FormatNumber(r.start)
	}
}

// StateRanges are the warning and critical ranges for a metric that codes
// a state: code i stands for states[i]. Under them a code alerts exactly
// as its state does, so a UI that colours a metric by its thresholds (the
// pies of Icinga Web and Icinga DB Web) draws it in the state's colour,
// never a CRITICAL "2 of 2" in green. UNKNOWN alerts as a warning: the
// pies have no colour of their own for it. A range is "" when no code
// alerts, or when one range cannot say which do.
func StateRanges(states ...State) (warn, crit string) {
	return codeRange(states, func(s State) bool { return s != OK }),
		codeRange(states, func(s State) bool { return s == Critical })
}

func codeRange(states []State, alerts func(State) bool) string {
	var in, out []int
	for i, s := range states {
		if alerts(s) {
			in = append(in, i)
		} else {
			out = append(out, i)
		}
	}
	span := func(c []int) (string, string, bool) {
		if len(c) == 0 || c[len(c)-1]-c[0] != len(c)-1 {
			return "", "", false
		}
		return strconv.Itoa(c[0]), strconv.Itoa(c[len(c)-1]), true
	}
	if len(in) == 0 {
		return ""
	}
	if lo, hi, ok := span(out); ok {
		switch {
		case lo == "0":
			return hi
		case out[len(out)-1] == len(states)-1:
			return lo + ":" // no code above: the plainer form
		}
		return lo + ":" + hi
	}
	if lo, hi, ok := span(in); ok {
		return "@" + lo + ":" + hi
	}
	return ""
}
