package cli

import (
	"strconv"
	"strings"
	"time"

	"github.com/xhit/go-str2duration/v2"

	"check-itgrix/internal/check"
)

// timeoutValue accepts "10" (seconds, as every Nagios plugin does) as well
// as Go durations such as "10s" or "1500ms".
type timeoutValue struct{ d *time.Duration }

func (v timeoutValue) Set(s string) error {
	d, err := ParseTimeout(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

func (v timeoutValue) String() string { return v.d.String() }

// ParseTimeout reads a --timeout value: a bare number is seconds.
func ParseTimeout(s string) (time.Duration, error) {
	var d time.Duration
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		d = time.Duration(f * float64(time.Second))
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, check.Errorf("timeout %q is neither seconds (10) nor a duration (10s, 1500ms)", s)
	}
	if d <= 0 || d > time.Hour {
		return 0, check.Errorf("timeout %q must be above 0 and at most 1h", s)
	}
	return d, nil
}

// stateValue is a --*-state flag: a state name in any case, or 0-3.
type stateValue struct{ s *check.State }

func (v stateValue) Set(s string) error {
	st, err := check.ParseState(s)
	if err != nil {
		return err
	}
	*v.s = st
	return nil
}

func (v stateValue) String() string { return strings.ToLower(v.s.String()) }

// StateVar makes f a state flag that sets target, starting at def.
func StateVar(f *Flag, target *check.State, def check.State) {
	*target = def
	f.Default(strings.ToLower(def.String())).PlaceHolder("STATE").SetValue(stateValue{target})
}

// rangeValue is a Nagios range flag; unset leaves the pointer nil.
type rangeValue struct{ r **check.Range }

func (v rangeValue) Set(s string) error {
	r, err := check.ParseRange(s)
	if err != nil {
		return err
	}
	*v.r = &r
	return nil
}

func (v rangeValue) String() string {
	if *v.r == nil {
		return ""
	}
	return (*v.r).Spec
}

// RangeFlag makes f a Nagios range flag.
func RangeFlag(f *Flag) **check.Range {
	var r *check.Range
	f.PlaceHolder("RANGE").SetValue(rangeValue{&r})
	return &r
}

// daysValue is a whole, non-negative number of days.
type daysValue struct{ n *int }

func (v daysValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return check.Errorf("days must be a whole number of 0 or more, got %q", s)
	}
	*v.n = n
	return nil
}

func (v daysValue) String() string { return strconv.Itoa(*v.n) }

// DaysFlag makes f a flag taking a whole number of days.
func DaysFlag(f *Flag, def int) *int {
	n := def
	f.Default(strconv.Itoa(def)).PlaceHolder("DAYS").SetValue(daysValue{&n})
	return &n
}

// portValue is a TCP port, 1-65535.
type portValue struct{ p *uint16 }

func (v portValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 65535 {
		return check.Errorf("port must be 1-65535, got %q", s)
	}
	*v.p = uint16(n)
	return nil
}

func (v portValue) String() string { return strconv.Itoa(int(*v.p)) }

// maxAge bounds an age threshold; nothing the document holds is older
// than a few years, and the bound keeps the seconds exact in perfdata.
const maxAge = 10 * 365 * 24 * time.Hour

// ParseAge reads an age threshold: a bare number of seconds ("5400"), or a
// duration ("90m", "2h", "1d12h"). Negative ages are refused.
func ParseAge(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	var d time.Duration
	if f, err := strconv.ParseFloat(t, 64); err == nil {
		if f != f || f < 0 || f > maxAge.Seconds() {
			return 0, check.Errorf("age %q must be 0 or more seconds, at most 10 years", s)
		}
		d = time.Duration(f * float64(time.Second))
	} else if d, err = str2duration.ParseDuration(t); err != nil {
		return 0, check.Errorf("age %q is neither seconds (5400) nor a duration (90m, 2h, 1d)", s)
	}
	if d < 0 || d > maxAge {
		return 0, check.Errorf("age %q must be 0 or more, at most 10 years", s)
	}
	return d, nil
}

// ageValue is an age threshold flag; unset leaves the pointer nil.
type ageValue struct{ d **time.Duration }

func (v ageValue) Set(s string) error {
	d, err := ParseAge(s)
	if err != nil {
		return err
	}
	*v.d = &d
	return nil
}

func (v ageValue) String() string {
	if *v.d == nil {
		return ""
	}
	return (*v.d).String()
}

// AgeFlag makes f an age threshold flag (seconds or a duration).
func AgeFlag(f *Flag) **time.Duration {
	var d *time.Duration
	f.PlaceHolder("DURATION").SetValue(ageValue{&d})
	return &d
}

// ParseNow reads --now: a date (YYYY-MM-DD, taken as the start of that
// day in loc) or an RFC 3339 timestamp.
func ParseNow(s string, loc *time.Location) (time.Time, error) {
	t := strings.TrimSpace(s)
	if d, err := time.ParseInLocation(time.DateOnly, t, loc); err == nil {
		return d, nil
	}
	if ts, err := time.Parse(time.RFC3339Nano, t); err == nil {
		return ts, nil
	}
	return time.Time{}, check.Errorf("--now %q is neither a date (2027-05-11) nor an RFC 3339 time (2027-05-11T09:30:00+03:00)", s)
}
