package check

import (
	"fmt"
	"strconv"
	"strings"

	nagios "github.com/atc0005/go-nagios"
)

// Range is a Nagios threshold range as the plugin guidelines define it:
// "10" (alert outside 0..10), "10:" (below 10), "~:10" (above 10), "10:20"
// (outside 10..20), "@10:20" (inside 10..20).
type Range struct {
	// Spec is the range as the user wrote it, repeated in performance data.
	Spec string
	r    nagios.Range
}

// ParseRange parses a Nagios range. go-nagios does the parsing; the checks
// around it close the gaps in its v0.20.0 parser: it ignores number syntax
// errors ("1.2.3" becomes 0), mis-reads "@~:10", and gives no reason when it
// refuses a range.
func ParseRange(spec string) (Range, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return Range{}, fmt.Errorf("empty range")
	}
	inside := strings.HasPrefix(s, "@")
	body := strings.TrimPrefix(s, "@")
	start, end, hasColon := strings.Cut(body, ":")
	if !hasColon {
		start, end = "", body
	}
	if start != "" && start != "~" {
		if err := checkNumber(start); err != nil {
			return Range{}, fmt.Errorf("range %q: start %w", spec, err)
		}
	}
	if end != "" || !hasColon {
		if err := checkNumber(end); err != nil {
			return Range{}, fmt.Errorf("range %q: end %w", spec, err)
		}
	}
	parsed := nagios.ParseRangeString(body)
	if parsed == nil {
		return Range{}, fmt.Errorf("range %q: start is greater than end", spec)
	}
	if inside {
		parsed.AlertOn = "INSIDE"
	}
	return Range{Spec: s, r: *parsed}, nil
}

func checkNumber(s string) error {
	if s == "" {
		return fmt.Errorf("is missing")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1e300 || f < -1e300 {
		return fmt.Errorf("%q is not a number", s)
	}
	return nil
}

// Alerts reports whether v raises an alert under the range.
func (r Range) Alerts(v float64) bool {
	return r.r.CheckRange(strconv.FormatFloat(v, 'g', -1, 64))
}

// Describe says in words why v alerts, for line 1: "above 10", "below 5",
// "inside 10:20".
func (r Range) Describe(v float64) string {
	switch {
	case r.r.AlertOn == "INSIDE":
		return "inside " + strings.TrimPrefix(r.Spec, "@")
	case !r.r.EndInfinity && v > r.r.End:
		return "above " + strconv.FormatFloat(r.r.End, 'g', -1, 64)
	default:
		return "below " + strconv.FormatFloat(r.r.Start, 'g', -1, 64)
	}
}
