package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

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
		return 0, fmt.Errorf("timeout %q is neither seconds (10) nor a duration (10s, 1500ms)", s)
	}
	if d <= 0 || d > time.Hour {
		return 0, fmt.Errorf("timeout %q must be above 0 and at most 1h", s)
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
func StateVar(f *kingpin.FlagClause, target *check.State, def check.State) {
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
func RangeFlag(f *kingpin.FlagClause) **check.Range {
	var r *check.Range
	f.PlaceHolder("RANGE").SetValue(rangeValue{&r})
	return &r
}

// daysValue is a whole, non-negative number of days.
type daysValue struct{ n *int }

func (v daysValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return fmt.Errorf("days must be a whole number of 0 or more, got %q", s)
	}
	*v.n = n
	return nil
}

func (v daysValue) String() string { return strconv.Itoa(*v.n) }

// DaysFlag makes f a flag taking a whole number of days.
func DaysFlag(f *kingpin.FlagClause, def int) *int {
	n := def
	f.Default(strconv.Itoa(def)).PlaceHolder("DAYS").SetValue(daysValue{&n})
	return &n
}

// portValue is a TCP port, 1-65535.
type portValue struct{ p *uint16 }

func (v portValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port must be 1-65535, got %q", s)
	}
	*v.p = uint16(n)
	return nil
}

func (v portValue) String() string { return strconv.Itoa(int(*v.p)) }
