// Package license decides the state of the Itgrix licence: its type against
// what the operator expects, and the calendar days left until valid_till.
package license

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
)

// Options are the licence check's own settings.
type Options struct {
	// Warning and Critical: WARNING when fewer than Warning days are left,
	// CRITICAL when fewer than Critical. Critical <= Warning.
	Warning  int
	Critical int
	// Expected licence types (any case); empty means any type is fine.
	Expected []string
	// TypeState is the state when the type is not among Expected.
	TypeState check.State
	// Location gives "today" (--timezone). Nil means the zone of the now
	// passed to Evaluate: the injected clock carries the host's zone in
	// production and an explicit one in tests, so no result depends on the
	// zone of the machine that runs the tests.
	Location *time.Location
}

// DefaultOptions are the contract's defaults.
func DefaultOptions() Options {
	return Options{Warning: 30, Critical: 7, TypeState: check.Critical}
}

// Validate checks the thresholds together.
func (o Options) Validate() error {
	if o.Warning < 0 || o.Critical < 0 {
		return check.Errorf("days must not be negative")
	}
	if o.Critical > o.Warning {
		return check.Errorf("-c/--critical (%d) must not exceed -w/--warning (%d)", o.Critical, o.Warning)
	}
	return nil
}

// Evaluate judges the licence as of now.
func Evaluate(s *itgrix.Status, o Options, now time.Time) check.Result {
	if !s.License.Ok() {
		if s.License.Is == itgrix.Missing {
			return check.Fail(check.Unknown, "no license element in the status document")
		}
		return check.Fail(check.Unknown, s.License.Problem())
	}
	if !s.LicenseType.Ok() {
		return check.Fail(check.Unknown, s.LicenseType.Problem())
	}
	typ := check.Text(s.LicenseType.Value)
	typePart := check.Part{Line: "licence type: " + check.Quote(s.LicenseType.Value)}
	typePart.State, typePart.Phrase = typeRule(typ, o)
	if len(o.Expected) > 0 {
		typePart.Line += ", expected " + strings.Join(o.Expected, " or ")
	}

	var r check.Result
	var expiryPart check.Part
	if o.Location != nil {
		now = now.In(o.Location)
	}
	days, till, err := DaysLeft(s.LicenseValid, now)
	switch {
	case err != nil:
		expiryPart.State, expiryPart.Phrase = check.Unknown, "expiry unknown: "+err.Error()
		expiryPart.Line = expiryPart.Phrase
	case till == "":
		expiryPart.Phrase = "no expiry date reported"
		expiryPart.Line = expiryPart.Phrase
	default:
		expiryPart.State, expiryPart.Phrase = expiry(days, till, o)
		expiryPart.Line = "valid till: " + till + " (last valid day), " + daysLeftWords(days)
		r.Perf = append(r.Perf, check.Perf{
			Label: "days_left", Value: float64(days),
			Warn: strconv.Itoa(o.Warning) + ":", Crit: strconv.Itoa(o.Critical) + ":",
		})
	}
	if typePart.Phrase == "" {
		// As expected, the type is said once, with the expiry.
		expiryPart.Phrase = typ + " licence " + expiryPart.Phrase
	}
	r.Parts = []check.Part{typePart, expiryPart}
	r.State, r.Summary = check.Combine(r.Parts...)

	if v, ok := itgrix.LicenseRank(typ); ok {
		// With expected types, each type's code alerts as its type would,
		// so the web UIs' pie takes the state's colour.
		var states []check.State
		for _, t := range itgrix.LicenseTypes {
			st, _ := typeRule(t, o)
			states = append(states, st)
		}
		warn, crit := check.StateRanges(states...)
		r.Perf = append(r.Perf, check.Perf{Label: "license_type", Value: float64(v), Warn: warn, Crit: crit,
			Min: "0", Max: strconv.Itoa(len(itgrix.LicenseTypes) - 1)})
	} else {
		r.Long = append(r.Long, "license_type metric left out: "+check.Quote(typ)+" is not "+itgrix.LicenseTypeList("or"))
	}
	if s.ConnectorAppType.Ok() {
		seen := strings.TrimPrefix(check.Text(s.ConnectorAppType.Value), "LicenseType_")
		if !strings.EqualFold(seen, typ) {
			r.Long = append(r.Long, "the CRM connector sees licence type "+check.Quote(seen)+", the status document says "+check.Quote(typ))
		}
	}
	return r
}

// typeRule returns the state and phrase for the licence type; the phrase is
// empty when the type is as expected.
func typeRule(typ string, o Options) (check.State, string) {
	if len(o.Expected) == 0 {
		return check.OK, ""
	}
	for _, e := range o.Expected {
		if strings.EqualFold(strings.TrimSpace(e), typ) {
			return check.OK, ""
		}
	}
	expected := strings.Join(o.Expected, " or ")
	got, known := itgrix.LicenseRank(typ)
	lower, higher := known, known
	for _, e := range o.Expected {
		want, ok := itgrix.LicenseRank(e)
		lower = lower && ok && got < want
		higher = higher && ok && got > want
	}
	switch {
	case lower:
		return o.TypeState, fmt.Sprintf("licence fell back to %s (expected %s)", typ, expected)
	case higher:
		return o.TypeState, fmt.Sprintf("licence upgraded to %s (expected %s)", typ, expected)
	}
	return o.TypeState, fmt.Sprintf("licence type is %s (expected %s)", check.Quote(typ), expected)
}

func expiry(days int, till string, o Options) (check.State, string) {
	var st check.State
	switch {
	case days < 0:
		return check.Critical, fmt.Sprintf("expired %s ago (valid till %s)", check.Plural(-days, "day", "days"), till)
	case days < o.Critical:
		st = check.Critical
	case days < o.Warning:
		st = check.Warning
	}
	return st, fmt.Sprintf("valid till %s (%s)", till, daysLeftWords(days))
}

func daysLeftWords(days int) string {
	switch {
	case days < 0:
		return "expired " + check.Plural(-days, "day", "days") + " ago"
	case days == 0:
		return "today is the last valid day"
	}
	return check.Plural(days, "day", "days") + " left"
}

// DaysLeft counts calendar days from today's date to valid_till: 0 when
// today is the last valid day, negative once expired. Dates are compared as
// civil dates, never as multiples of 24 hours, so DST changes cannot shift
// the count. till is the date as YYYY-MM-DD, or "" when the document gives
// none.
func DaysLeft(e itgrix.Elem[string], today time.Time) (days int, till string, err error) {
	switch {
	case e.Is == itgrix.Missing || e.Is == itgrix.Null || e.Ok() && strings.TrimSpace(e.Value) == "":
		return 0, "", nil
	case !e.Ok():
		return 0, "", fmt.Errorf("%s", e.Problem())
	}
	d, err := ParseDate(e.Value)
	if err != nil {
		return 0, "", fmt.Errorf("%s %s is not a date (expected YYYY-MM-DD)", e.Path, check.Quote(e.Value))
	}
	y, m, dd := today.Date()
	t := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	// Both are midnight UTC, so Unix seconds divide into whole days exactly
	// (and, unlike Sub, do not saturate for dates centuries away).
	return int(d.Unix()/86400 - t.Unix()/86400), d.Format(time.DateOnly), nil
}

// ParseDate reads valid_till: YYYY-MM-DD, or an RFC 3339 timestamp taken by
// the date it names (not converted to another zone). The result is
// midnight UTC of that civil date.
func ParseDate(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d, nil
	}
	ts, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := ts.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}
