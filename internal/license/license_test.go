package license

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/test/zonetest"
)

func parse(t *testing.T, doc string) *itgrix.Status {
	t.Helper()
	s, err := itgrix.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func lic(typ, till string) string {
	return fmt.Sprintf(`{"license":{"type":%q,"valid_till":%q}}`, typ, till)
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// TestThresholdBoundaries: with -w 30 -c 7, fewer than 30 days is WARNING,
// fewer than 7 CRITICAL; exactly -w or -c days is the milder state.
func TestThresholdBoundaries(t *testing.T) {
	zonetest.Each(t, func(t *testing.T) {
		today := utc(2027, 4, 1, 9, 30)
		cases := []struct {
			days    int
			want    check.State
			summary string
		}{
			{200, check.OK, "(200 days left)"},
			{31, check.OK, "(31 days left)"},
			{30, check.OK, "(30 days left)"},      // W
			{29, check.Warning, "(29 days left)"}, // W-1
			{8, check.Warning, "(8 days left)"},
			{7, check.Warning, "(7 days left)"},  // C
			{6, check.Critical, "(6 days left)"}, // C-1
			{1, check.Critical, "(1 day left)"},
			{0, check.Critical, "(today is the last valid day)"},
			{-1, check.Critical, "expired 1 day ago"},
			{-3, check.Critical, "expired 3 days ago"},
		}
		for _, c := range cases {
			till := today.AddDate(0, 0, c.days).Format(time.DateOnly)
			r := Evaluate(parse(t, lic("Professional", till)), DefaultOptions(), today)
			if r.State != c.want || !strings.Contains(r.Summary, c.summary) {
				t.Errorf("%d days: %v %q, want %v containing %q", c.days, r.State, r.Summary, c.want, c.summary)
			}
			if got := perf(r, "days_left"); got == nil || got.Value != float64(c.days) || got.Warn != "30:" || got.Crit != "7:" {
				t.Errorf("%d days: days_left metric %+v", c.days, got)
			}
		}
	})
}

func TestCriticalZeroAndEqualThresholds(t *testing.T) {
	zonetest.Each(t, func(t *testing.T) {
		today := utc(2027, 4, 1, 0, 0)
		cases := []struct {
			w, c, days int
			want       check.State
		}{
			{30, 0, 0, check.Warning},   // -c 0: the last day is only WARNING
			{30, 0, -1, check.Critical}, // ... and expired is CRITICAL
			{0, 0, 0, check.OK},         // -w 0 -c 0: only expiry alerts
			{0, 0, -1, check.Critical},
			{7, 7, 7, check.OK}, // equal thresholds are allowed
			{7, 7, 6, check.Critical},
		}
		for _, c := range cases {
			o := DefaultOptions()
			o.Warning, o.Critical = c.w, c.c
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			till := today.AddDate(0, 0, c.days).Format(time.DateOnly)
			r := Evaluate(parse(t, lic("Professional", till)), o, today)
			if r.State != c.want {
				t.Errorf("-w %d -c %d, %d days: %v, want %v (%s)", c.w, c.c, c.days, r.State, c.want, r.Summary)
			}
		}
	})
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		w, c int
		ok   bool
	}{{30, 7, true}, {7, 7, true}, {0, 0, true}, {5, 6, false}, {-1, 0, false}, {10, -1, false}} {
		err := Options{Warning: c.w, Critical: c.c}.Validate()
		if (err == nil) != c.ok {
			t.Errorf("-w %d -c %d: %v", c.w, c.c, err)
		}
	}
}

// TestCalendarDays counts civil days, so month and year ends, leap days and
// the time of day make no difference.
func TestCalendarDays(t *testing.T) {
	cases := []struct {
		now  time.Time
		till string
		want int
	}{
		{utc(2028, 2, 28, 23, 59), "2028-02-29", 1}, // leap day is a day
		{utc(2028, 2, 29, 0, 0), "2028-02-29", 0},
		{utc(2028, 2, 29, 23, 59), "2028-03-01", 1},
		{utc(2027, 2, 28, 12, 0), "2027-03-01", 1}, // no 29 Feb in 2027
		{utc(2026, 12, 31, 23, 59), "2027-01-01", 1},
		{utc(2027, 1, 1, 0, 0), "2026-12-31", -1},
		{utc(2026, 1, 1, 0, 0), "2027-01-01", 365},
		{utc(2028, 1, 1, 0, 0), "2029-01-01", 366},
		{utc(2026, 11, 24, 12, 0), "9999-12-31", 2912115}, // beyond what time.Duration holds
		{utc(2026, 11, 24, 12, 0), "2027-05-11T00:00:00+03:00", 168},
		{utc(2026, 11, 24, 12, 0), "2027-05-11T23:30:00-05:00", 168}, // the date as written, not converted
	}
	for _, c := range cases {
		days, _, err := DaysLeft(itgrix.Elem[string]{Path: "license.valid_till", Value: c.till, Is: itgrix.Present}, c.now)
		if err != nil || days != c.want {
			t.Errorf("now %s till %s: %d %v, want %d", c.now, c.till, days, err, c.want)
		}
	}
}

// TestTimezone: "today" is the date in the configured zone, which can
// differ from the UTC date.
func TestTimezone(t *testing.T) {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	honolulu, err := time.LoadLocation("Pacific/Honolulu")
	if err != nil {
		t.Fatal(err)
	}
	now := utc(2027, 5, 10, 22, 30) // 11 May 01:30 in Moscow, 10 May 12:30 in Honolulu
	cases := []struct {
		loc  *time.Location
		want int
	}{{time.UTC, 1}, {moscow, 0}, {honolulu, 1}}
	for _, c := range cases {
		o := DefaultOptions()
		o.Location = c.loc
		r := Evaluate(parse(t, lic("Professional", "2027-05-11")), o, now)
		if p := perf(r, "days_left"); p == nil || p.Value != float64(c.want) {
			t.Errorf("%s: days_left %+v, want %d (%s)", c.loc, p, c.want, r.Summary)
		}
	}
}

// TestDST: on the days clocks change, a day has 23 or 25 hours; counting
// by 24-hour multiples would be off by one around midnight.
func TestDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		now  time.Time
		till string
		want int
	}{
		{time.Date(2027, 3, 28, 0, 30, 0, 0, berlin), "2027-03-29", 1}, // spring forward: 23-hour day
		{time.Date(2027, 3, 28, 23, 30, 0, 0, berlin), "2027-03-29", 1},
		{time.Date(2027, 3, 27, 23, 30, 0, 0, berlin), "2027-03-29", 2},
		{time.Date(2027, 10, 31, 0, 30, 0, 0, berlin), "2027-11-01", 1}, // fall back: 25-hour day
		{time.Date(2027, 10, 31, 23, 30, 0, 0, berlin), "2027-11-01", 1},
		{time.Date(2027, 10, 30, 23, 59, 0, 0, berlin), "2027-11-01", 2},
	}
	for _, c := range cases {
		o := DefaultOptions()
		o.Location = berlin
		r := Evaluate(parse(t, lic("Professional", c.till)), o, c.now)
		if p := perf(r, "days_left"); p == nil || p.Value != float64(c.want) {
			t.Errorf("now %s till %s: days_left %+v, want %d", c.now, c.till, p, c.want)
		}
	}
}

func TestExpiryElement(t *testing.T) {
	zonetest.Each(t, func(t *testing.T) {
		now := utc(2026, 11, 24, 12, 0)
		cases := []struct {
			doc     string
			want    check.State
			summary string
			metric  bool
		}{
			{`{"license":{"type":"Professional"}}`, check.OK, "Professional licence no expiry date reported", false},
			{`{"license":{"type":"Professional","valid_till":""}}`, check.OK, "no expiry date reported", false},
			{`{"license":{"type":"Professional","valid_till":"  "}}`, check.OK, "no expiry date reported", false},
			{`{"license":{"type":"Professional","valid_till":null}}`, check.OK, "no expiry date reported", false},
			{`{"license":{"type":"Professional","valid_till":"soon"}}`, check.Unknown, `Professional licence expiry unknown: license.valid_till "soon" is not a date (expected YYYY-MM-DD)`, false},
			{`{"license":{"type":"Professional","valid_till":"2027-02-30"}}`, check.Unknown, "is not a date", false},
			{`{"license":{"type":"Professional","valid_till":"11.05.2027"}}`, check.Unknown, "is not a date", false},
			{`{"license":{"type":"Professional","valid_till":20270511}}`, check.Unknown, "license.valid_till is a number, expected a string", false},
			{`{"license":{"type":"Professional","valid_till":"2027-05-11T00:00:00Z"}}`, check.OK, "valid till 2027-05-11 (168 days left)", true},
		}
		for _, c := range cases {
			r := Evaluate(parse(t, c.doc), DefaultOptions(), now)
			if r.State != c.want || !strings.Contains(r.Summary, c.summary) || (perf(r, "days_left") != nil) != c.metric {
				t.Errorf("%s: %v %q metric=%v", c.doc, r.State, r.Summary, perf(r, "days_left") != nil)
			}
		}
	})
}

func TestLicenceElement(t *testing.T) {
	now := utc(2026, 11, 24, 12, 0)
	cases := []struct{ doc, summary string }{
		{`{"app_status":"Ok"}`, "no license element in the status document"},
		{`{"license":null}`, "license is null"},
		{`{"license":"Professional"}`, "license is a string, expected an object"},
		{`{"license":{"valid_till":"2027-01-01"}}`, "license.type is missing"},
		{`{"license":{"type":null}}`, "license.type is null"},
		{`{"license":{"type":2}}`, "license.type is a number, expected a string"},
	}
	for _, c := range cases {
		r := Evaluate(parse(t, c.doc), DefaultOptions(), now)
		if r.State != check.Unknown || r.Summary != c.summary {
			t.Errorf("%s: %v %q, want UNKNOWN %q", c.doc, r.State, r.Summary, c.summary)
		}
	}
}

func TestTypeRules(t *testing.T) {
	now := utc(2026, 11, 24, 12, 0)
	till := "2027-11-24"
	cases := []struct {
		typ       string
		expected  []string
		typeState check.State
		want      check.State
		summary   string
	}{
		{"Professional", nil, check.Critical, check.OK, "Professional licence valid till"},
		{"Free", nil, check.Critical, check.OK, "Free licence valid till"},
		{"Professional", []string{"Professional"}, check.Critical, check.OK, "Professional licence"},
		{"professional", []string{"PROFESSIONAL"}, check.Critical, check.OK, "professional licence"},
		{"Free", []string{"Professional"}, check.Critical, check.Critical, "licence fell back to Free (expected Professional)"},
		{"Subscription", []string{"Professional"}, check.Warning, check.Warning, "licence fell back to Subscription (expected Professional)"},
		{"Free", []string{"Subscription", "Professional"}, check.Critical, check.Critical, "licence fell back to Free (expected Subscription or Professional)"},
		{"Subscription", []string{"Subscription", "Professional"}, check.Critical, check.OK, "Subscription licence"},
		{"Professional", []string{"Subscription"}, check.Warning, check.Warning, "licence upgraded to Professional (expected Subscription)"},
		{"Subscription", []string{"Free", "Professional"}, check.Critical, check.Critical, `licence type is "Subscription" (expected Free or Professional)`},
		{"Enterprise", []string{"Professional"}, check.Unknown, check.Unknown, `licence type is "Enterprise" (expected Professional)`},
	}
	for _, c := range cases {
		o := DefaultOptions()
		o.Expected, o.TypeState = c.expected, c.typeState
		r := Evaluate(parse(t, lic(c.typ, till)), o, now)
		if r.State != c.want || !strings.HasPrefix(r.Summary, c.summary) {
			t.Errorf("%s expected %v: %v %q, want %v %q", c.typ, c.expected, r.State, r.Summary, c.want, c.summary)
		}
	}
}

// TestTypeAndExpiryCombine: the worst of both wins and both are said, the
// one that decided the state first.
func TestTypeAndExpiryCombine(t *testing.T) {
	zonetest.Each(t, func(t *testing.T) {
		now := utc(2026, 11, 24, 12, 0)
		o := DefaultOptions()
		o.Expected, o.TypeState = []string{"Professional"}, check.Warning
		r := Evaluate(parse(t, lic("Free", "2026-11-20")), o, now)
		if r.State != check.Critical || r.Summary != "expired 4 days ago (valid till 2026-11-20), licence fell back to Free (expected Professional)" {
			t.Errorf("%v %q", r.State, r.Summary)
		}
	})
}

func TestLicenceTypeMetricAndConnectorView(t *testing.T) {
	now := utc(2026, 11, 24, 12, 0)
	for typ, want := range map[string]float64{"Free": 0, "subscription": 1, "Professional": 2} {
		r := Evaluate(parse(t, lic(typ, "")), DefaultOptions(), now)
		if p := perf(r, "license_type"); p == nil || p.Value != want {
			t.Errorf("%s: license_type %+v, want %v", typ, p, want)
		}
	}
	r := Evaluate(parse(t, lic("Enterprise", "")), DefaultOptions(), now)
	if perf(r, "license_type") != nil || !strings.Contains(strings.Join(r.Long, "\n"), `license_type metric left out: "Enterprise"`) {
		t.Errorf("unknown type: %+v\n%s", r.Perf, strings.Join(r.Long, "\n"))
	}
	doc := `{"license":{"type":"Free","valid_till":""},"app":{"crm":{"manager":{"connector":{"app_type":"LicenseType_Professional"}}}}}`
	r = Evaluate(parse(t, doc), DefaultOptions(), now)
	if !strings.Contains(strings.Join(r.Long, "\n"), `the CRM connector sees licence type "Professional", the status document says "Free"`) {
		t.Errorf("connector view missing:\n%s", strings.Join(r.Long, "\n"))
	}
	doc = `{"license":{"type":"Professional","valid_till":""},"app":{"crm":{"manager":{"connector":{"app_type":"LicenseType_Professional"}}}}}`
	r = Evaluate(parse(t, doc), DefaultOptions(), now)
	if strings.Contains(strings.Join(r.Long, "\n"), "connector sees") {
		t.Errorf("connector view shown although it agrees:\n%s", strings.Join(r.Long, "\n"))
	}
}

func perf(r check.Result, label string) *check.Perf {
	for i := range r.Perf {
		if r.Perf[i].Label == label {
			return &r.Perf[i]
		}
	}
	return nil
}

// TestLicenceTypeMetricCarriesTheExpectation: with expected types, the
// other types' codes alert as --type-state says; without, none does.
func TestLicenceTypeMetricCarriesTheExpectation(t *testing.T) {
	now := utc(2026, 11, 24, 12, 0)
	for _, c := range []struct {
		expected   []string
		state      check.State
		warn, crit string
	}{
		{nil, check.Critical, "", ""},
		{[]string{"Professional"}, check.Critical, "2:", "2:"},
		{[]string{"Subscription", "Professional"}, check.Warning, "1:", ""},
		{[]string{"Subscription"}, check.Critical, "1:1", "1:1"},
	} {
		o := DefaultOptions()
		o.Expected, o.TypeState = c.expected, c.state
		for _, p := range Evaluate(parse(t, lic("Free", "2027-11-20")), o, now).Perf {
			if p.Label == "license_type" && (p.Warn != c.warn || p.Crit != c.crit) {
				t.Errorf("%v: %+v, want warn %q crit %q", c.expected, p, c.warn, c.crit)
			}
		}
	}
}
