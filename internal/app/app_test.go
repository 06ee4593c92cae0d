package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
)

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func parse(t *testing.T, doc string) *itgrix.Status {
	t.Helper()
	s, err := itgrix.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return s
}

// doc builds a document; a nil value leaves the element out.
func doc(status, state any) string {
	var parts []string
	if status != nil {
		parts = append(parts, fmt.Sprintf(`"app_status":%s`, jsonValue(status)))
	}
	if state != nil {
		parts = append(parts, fmt.Sprintf(`"app_state":%s`, jsonValue(state)))
	}
	parts = append(parts, `"app":{"calls_queue":{"calls":4}}`)
	return "{" + strings.Join(parts, ",") + "}"
}

func jsonValue(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestStatusTimesState pins every app_status x app_state combination with
// the default options: each side maps on its own, the worst wins.
func TestStatusTimesState(t *testing.T) {
	statuses := []struct {
		value any
		state check.State
	}{
		{"Ok", check.OK}, {"ok", check.OK}, {"WARNING", check.Warning}, {"Warning", check.Warning},
		{"Error", check.Critical}, {"error", check.Critical}, {"Busy", check.Unknown},
		{"", check.Unknown}, {"null", check.Unknown}, {3, check.Unknown},
	}
	states := []struct {
		value any
		state check.State
	}{
		{"", check.OK}, {"restarting", check.Warning}, {"Restarting", check.Warning},
		{"stopped", check.Critical}, {"paused", check.Unknown}, {"null", check.Unknown}, {true, check.Unknown},
	}
	for _, st := range statuses {
		for _, sa := range states {
			statusV, stateV := st.value, sa.value
			if statusV == "null" {
				statusV = nil
			}
			if stateV == "null" {
				stateV = nil
			}
			want := check.Worst(st.state, sa.state)
			name := fmt.Sprintf("status=%v/state=%v", st.value, sa.value)
			t.Run(name, func(t *testing.T) {
				if statusV == nil && stateV == nil {
					// Neither: not a status document, refused by the reader.
					if _, err := itgrix.Parse([]byte(doc(statusV, stateV))); err == nil {
						t.Error("a document without app_status and app_state was accepted")
					}
					return
				}
				r := Evaluate(parse(t, doc(statusV, stateV)), DefaultOptions(), now)
				if r.State != want {
					t.Errorf("state %v, want %v (summary %q)", r.State, want, r.Summary)
				}
			})
		}
	}
}

// TestWorstWins spells out the order CRITICAL > WARNING > UNKNOWN > OK on
// real combinations, so a change to check.Worst shows here too.
func TestWorstWins(t *testing.T) {
	cases := []struct {
		status, state string
		want          check.State
	}{
		{"Error", "restarting", check.Critical},
		{"Warning", "paused", check.Warning},
		{"Busy", "stopped", check.Critical},
		{"Busy", "", check.Unknown},
		{"Ok", "paused", check.Unknown},
	}
	for _, c := range cases {
		r := Evaluate(parse(t, doc(c.status, c.state)), DefaultOptions(), now)
		if r.State != c.want {
			t.Errorf("%s/%s: %v, want %v", c.status, c.state, r.State, c.want)
		}
	}
}

func TestStateOverrides(t *testing.T) {
	cases := []struct {
		status, state       string
		restarting, stopped check.State
		want                check.State
	}{
		{"Ok", "restarting", check.OK, check.Critical, check.OK},
		{"Ok", "restarting", check.Critical, check.Critical, check.Critical},
		{"Ok", "restarting", check.Unknown, check.Critical, check.Unknown},
		{"Ok", "stopped", check.Warning, check.Warning, check.Warning},
		{"Ok", "stopped", check.Warning, check.OK, check.OK},
		// app_status keeps counting: an override lowers only app_state.
		{"Warning", "restarting", check.OK, check.Critical, check.Warning},
		{"Error", "stopped", check.Warning, check.Warning, check.Critical},
	}
	for _, c := range cases {
		o := Options{Restarting: c.restarting, Stopped: c.stopped}
		r := Evaluate(parse(t, doc(c.status, c.state)), o, now)
		if r.State != c.want {
			t.Errorf("%s/%s restarting=%v stopped=%v: %v, want %v", c.status, c.state, c.restarting, c.stopped, r.State, c.want)
		}
	}
}

func TestSummaries(t *testing.T) {
	cases := []struct {
		doc, want string
	}{
		{`{"app_status":"Ok","app_state":""}`, "Itgrix running (status Ok)"},
		{`{"app_status":"Ok","app_state":"","app":{"calls_queue":{"calls":1}}}`, "Itgrix running (status Ok), 1 call queued"},
		{`{"app_status":"Error","app_state":"stopped","app_err":"boom"}`, "Itgrix stopped (status Error): boom"},
		{`{"app_status":"Ok","app_state":"paused"}`, `unexpected app_state "paused" (status Ok)`},
		{`{"app_status":"Busy","app_state":""}`, `Itgrix running (unexpected app_status "Busy")`},
		{`{"app_status":null,"app_state":""}`, "Itgrix running (app_status is null)"},
		{`{"app_status":7,"app_state":""}`, "Itgrix running (app_status is a number, expected a string)"},
		{`{"app_state":""}`, "Itgrix running (app_status is missing)"},
		{`{"license":{}}`, "not an Itgrix status document: app_status and app_state are missing"},
		{`{"app":{"app_status":"Ok","app_state":"restarting"}}`, "Itgrix restarting (status Ok)"},
	}
	for _, c := range cases {
		r := Evaluate(parse(t, c.doc), DefaultOptions(), now)
		if r.Summary != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.doc, r.Summary, c.want)
		}
	}
}

func mustRange(t *testing.T, s string) *check.Range {
	t.Helper()
	r, err := check.ParseRange(s)
	if err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestQueueThresholds pins each Nagios range form on the call queue,
// including the edges, which are inside the range (no alert).
func TestQueueThresholds(t *testing.T) {
	cases := []struct {
		warn, crit string
		calls      float64
		want       check.State
		phrase     string
	}{
		{"10", "", 10, check.OK, ""},
		{"10", "", 11, check.Warning, "(warning: above 10)"},
		{"10", "20", 21, check.Critical, "(critical: above 20)"},
		{"10", "20", 20, check.Warning, "(warning: above 10)"},
		{"10:", "", 9, check.Warning, "(warning: below 10)"},
		{"10:", "", 10, check.OK, ""},
		{"~:10", "", 11, check.Warning, "(warning: above 10)"},
		{"~:10", "", 0, check.OK, ""},
		{"10:20", "", 9, check.Warning, "(warning: below 10)"},
		{"10:20", "", 21, check.Warning, "(warning: above 20)"},
		{"10:20", "", 15, check.OK, ""},
		{"@10:20", "", 15, check.Warning, "(warning: inside 10:20)"},
		{"@10:20", "", 10, check.Warning, "(warning: inside 10:20)"},
		{"@10:20", "", 21, check.OK, ""},
		{"", "@~:10", 0, check.Critical, "(critical: inside ~:10)"},
		{"", "@~:10", 11, check.OK, ""},
	}
	for _, c := range cases {
		o := DefaultOptions()
		if c.warn != "" {
			o.QueueWarning = mustRange(t, c.warn)
		}
		if c.crit != "" {
			o.QueueCritical = mustRange(t, c.crit)
		}
		d := fmt.Sprintf(`{"app_status":"Ok","app_state":"","app":{"calls_queue":{"calls":%v}}}`, c.calls)
		r := Evaluate(parse(t, d), o, now)
		if r.State != c.want || !leads(r, c.phrase) {
			t.Errorf("warn %q crit %q calls %v: %v %q, want %v with %q leading", c.warn, c.crit, c.calls, r.State, r.Summary, c.want, c.phrase)
		}
	}
}

// leads reports whether line 1 has phrase, and, when the state is not OK,
// has it before the app's own words: what decided the state comes first.
func leads(r check.Result, phrase string) bool {
	phrase = strings.TrimPrefix(phrase, ", ")
	i := strings.Index(r.Summary, phrase)
	return i >= 0 && (r.State == check.OK || i < strings.Index(r.Summary, "Itgrix running"))
}

func TestQueueThresholdWithoutQueue(t *testing.T) {
	o := DefaultOptions()
	o.QueueWarning = mustRange(t, "10")
	r := Evaluate(parse(t, `{"app_status":"Ok","app_state":""}`), o, now)
	if r.State != check.Unknown || !strings.Contains(r.Summary, "app.calls_queue.calls is missing") {
		t.Errorf("%v %q", r.State, r.Summary)
	}
	// Without thresholds a missing queue is simply not reported.
	r = Evaluate(parse(t, `{"app_status":"Ok","app_state":""}`), DefaultOptions(), now)
	if r.State != check.OK {
		t.Errorf("%v %q", r.State, r.Summary)
	}
}

func TestAppErrIsSanitisedAndShortened(t *testing.T) {
	hostile := "line one | with pipe\nline two\x1b[31m red\u202e reversed " + strings.Repeat("x", 300)
	d := fmt.Sprintf(`{"app_status":"Error","app_state":"stopped","app_err":%s}`, jsonValue(hostile))
	r := Evaluate(parse(t, d), DefaultOptions(), now)
	if strings.ContainsAny(r.Summary, "|\n\x1b\u202e") {
		t.Errorf("summary not sanitised: %q", r.Summary)
	}
	if n := len([]rune(r.Summary)); n > 160 {
		t.Errorf("summary has %d runes, app_err should be shortened", n)
	}
	long := strings.Join(r.Long, "\n")
	if strings.ContainsAny(long, "|\x1b\u202e") {
		t.Errorf("long output not sanitised: %q", long)
	}
	if !strings.Contains(long, "app_err: line one / with pipe") || !strings.Contains(long, strings.Repeat("x", 300)) {
		t.Errorf("long output lacks the whole app_err:\n%s", long)
	}
}

func TestPerfData(t *testing.T) {
	s := parse(t, `{"app_status":"Warning","app_state":"restarting","app":{"calls_queue":{"calls":4},"calls_storage":{"calls":2},
		"crm":{"manager":{"batch_queue":1},"users_cache":{"users":5,"phones":"six"}}}}`)
	o := DefaultOptions()
	o.QueueWarning, o.QueueCritical = mustRange(t, "10"), mustRange(t, "@20:30")
	r := Evaluate(s, o, now)
	got := map[string]check.Perf{}
	for _, p := range r.Perf {
		got[p.Label] = p
	}
	want := map[string]float64{"app_status": 1, "app_state": 1, "calls_queue": 4, "calls_storage": 2, "crm_batch_queue": 1, "users_cache_users": 5}
	if len(got) != len(want) {
		t.Errorf("labels %v, want %v", got, want)
	}
	for label, v := range want {
		if got[label].Value != v {
			t.Errorf("%s = %v, want %v", label, got[label].Value, v)
		}
	}
	if q := got["calls_queue"]; q.Warn != "10" || q.Crit != "@20:30" || q.Min != "0" {
		t.Errorf("calls_queue thresholds %+v", q)
	}
	if !strings.Contains(strings.Join(r.Long, "\n"), "ignored: app.crm.users_cache.phones is a string, expected a number") {
		t.Errorf("mistyped phones not reported:\n%s", strings.Join(r.Long, "\n"))
	}
	// Unknown values give no app_status/app_state metric rather than a wrong one.
	r = Evaluate(parse(t, `{"app_status":"Busy","app_state":"paused"}`), DefaultOptions(), now)
	for _, p := range r.Perf {
		t.Errorf("unexpected metric %+v", p)
	}
}

func TestAge(t *testing.T) {
	cases := map[time.Duration]string{
		-time.Second:                   "in the future: check the clocks",
		0:                              "0s ago",
		59 * time.Second:               "59s ago",
		5 * time.Minute:                "5m ago",
		2*time.Hour + 3*time.Minute:    "2h 3m ago",
		4*24*time.Hour + 5*time.Hour:   "4d 5h ago",
		24*time.Hour - time.Nanosecond: "23h 59m ago",
	}
	for d, want := range cases {
		if got := Age(d); got != want {
			t.Errorf("Age(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestUsersCacheAgeUsesTheClock(t *testing.T) {
	s := parse(t, `{"app_status":"Ok","app_state":"","app":{"crm":{"users_cache":{"last_updated":"2026-11-24 14:55:00.000 +03:00","users":1}}}}`)
	r := Evaluate(s, DefaultOptions(), now) // 12:00 UTC = 15:00 +03:00
	if l := strings.Join(r.Long, "\n"); !strings.Contains(l, "(5m ago)") {
		t.Errorf("users cache age:\n%s", l)
	}
}

func dur(d time.Duration) *time.Duration { return &d }

// cacheDoc is a healthy document whose users cache was refreshed at ts
// (a JSON value, or "" for no last_updated at all).
func cacheDoc(ts string) string {
	cache := `"users":1`
	if ts != "" {
		cache += `,"last_updated":` + ts
	}
	return `{"app_status":"Ok","app_state":"","app":{"crm":{"users_cache":{` + cache + `}}}}`
}

// TestCacheAge pins --cache-age-warning/--cache-age-critical at their
// edges: exactly the threshold is not older than it, a second more is.
func TestCacheAge(t *testing.T) {
	at := func(d time.Duration) string {
		return `"` + now.Add(-d).In(time.FixedZone("", 3*3600)).Format("2006-01-02 15:04:05.000 -07:00") + `"`
	}
	cases := []struct {
		name       string
		ts         string
		warn, crit *time.Duration
		want       check.State
		phrase     string
		age        float64 // -1: no users_cache_age metric
	}{
		{"no thresholds", at(3 * time.Hour), nil, nil, check.OK, "Itgrix running (status Ok)", 10800},
		{"young", at(30 * time.Minute), dur(time.Hour), dur(2 * time.Hour), check.OK, "Itgrix running (status Ok)", 1800},
		{"warning edge", at(time.Hour), dur(time.Hour), dur(2 * time.Hour), check.OK, "Itgrix running (status Ok)", 3600},
		{"warning", at(time.Hour + time.Second), dur(time.Hour), dur(2 * time.Hour), check.Warning, "(warning: older than 1h)", 3601},
		{"critical edge", at(2 * time.Hour), dur(time.Hour), dur(2 * time.Hour), check.Warning, "(warning: older than 1h)", 7200},
		{"critical", at(2*time.Hour + time.Second), dur(time.Hour), dur(2 * time.Hour), check.Critical, "updated 2h 0m ago (critical: older than 2h)", 7201},
		{"critical only", at(3 * 24 * time.Hour), nil, dur(24 * time.Hour), check.Critical, "updated 3d 0h ago (critical: older than 1d)", 259200},
		{"zero threshold", at(time.Second), dur(0), nil, check.Warning, "(warning: older than 0s)", 1},
		{"rfc 3339", `"2026-11-24T09:00:00Z"`, dur(time.Hour), nil, check.Warning, "updated 3h 0m ago", 10800},
		{"future is age 0", at(-10 * time.Minute), dur(0), nil, check.OK, "Itgrix running (status Ok)", 0},
		{"missing", "", dur(time.Hour), nil, check.Unknown, "users cache age not checked: app.crm.users_cache.last_updated is missing, Itgrix", -1},
		{"null", "null", nil, dur(time.Hour), check.Unknown, "app.crm.users_cache.last_updated is null", -1},
		{"not a timestamp", `"yesterday"`, dur(time.Hour), nil, check.Unknown, `app.crm.users_cache.last_updated "yesterday" is not a timestamp`, -1},
		{"mistyped", `1732440000`, dur(time.Hour), nil, check.Unknown, "app.crm.users_cache.last_updated is a number, expected a timestamp", -1},
		{"missing without thresholds", "", nil, nil, check.OK, "Itgrix running (status Ok)", -1},
		{"unparseable without thresholds", `"yesterday"`, nil, nil, check.OK, "Itgrix running (status Ok)", -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := DefaultOptions()
			o.CacheAgeWarning, o.CacheAgeCritical = c.warn, c.crit
			r := Evaluate(parse(t, cacheDoc(c.ts)), o, now)
			if r.State != c.want || !strings.Contains(r.Summary, c.phrase) {
				t.Errorf("%v %q, want %v containing %q", r.State, r.Summary, c.want, c.phrase)
			}
			// Within bounds, line 1 says nothing of the age.
			if r.State == check.OK && strings.Contains(r.Summary, "users cache") {
				t.Errorf("OK, yet line 1 names the cache: %q", r.Summary)
			}
			var m *check.Perf
			for i := range r.Perf {
				if r.Perf[i].Label == "users_cache_age" {
					m = &r.Perf[i]
				}
			}
			switch {
			case c.age < 0 && m != nil:
				t.Errorf("unexpected metric %+v", *m)
			case c.age >= 0 && m == nil:
				t.Errorf("no users_cache_age metric in %+v", r.Perf)
			case c.age >= 0 && (m.Value != c.age || m.UOM != "s" || m.Min != "0"):
				t.Errorf("metric %+v, want value %v s", *m, c.age)
			}
		})
	}
}

func TestCacheAgeMetricCarriesThresholds(t *testing.T) {
	o := DefaultOptions()
	o.CacheAgeWarning, o.CacheAgeCritical = dur(90*time.Minute), dur(2*time.Hour)
	r := Evaluate(parse(t, cacheDoc(`"2026-11-24 11:00:00.5 +00:00"`)), o, now)
	found := false
	for _, p := range r.Perf {
		if p.Label == "users_cache_age" {
			found = true
			if p.Warn != "5400" || p.Crit != "7200" || p.Value != 3599 {
				t.Errorf("%+v", p)
			}
		}
	}
	if !found {
		t.Errorf("no users_cache_age metric in %+v", r.Perf)
	}
}

func TestCacheAgeInTheFutureIsNotedAsSkew(t *testing.T) {
	r := Evaluate(parse(t, cacheDoc(`"2026-11-24 12:02:30.000 +00:00"`)), DefaultOptions(), now)
	long := strings.Join(r.Long, "\n")
	if r.State != check.OK || !strings.Contains(long, "(2m ahead of this host's clock: clock skew, counted as age 0)") {
		t.Errorf("%v\n%s", r.State, long)
	}
}

func TestValidateCacheAge(t *testing.T) {
	cases := []struct {
		warn, crit *time.Duration
		err        string
	}{
		{nil, nil, ""},
		{dur(time.Hour), dur(time.Hour), ""},
		{dur(time.Hour), dur(2 * time.Hour), ""},
		{dur(2 * time.Hour), dur(time.Hour), "--cache-age-critical (3600s) must not be shorter than --cache-age-warning (7200s)"},
		{dur(-time.Second), nil, "must not be negative"},
	}
	for _, c := range cases {
		o := DefaultOptions()
		o.CacheAgeWarning, o.CacheAgeCritical = c.warn, c.crit
		err := o.Validate()
		if (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%v %v: %v, want %q", c.warn, c.crit, err, c.err)
		}
	}
}

// TestStorageAndBatchThresholds: the same range semantics, phrasing and
// perfdata as the call queue, on app.calls_storage.calls and
// app.crm.manager.batch_queue.
func TestStorageAndBatchThresholds(t *testing.T) {
	cases := []struct {
		which      string
		warn, crit string
		n          float64
		want       check.State
		phrase     string
	}{
		{"storage", "", "", 500, check.OK, "Itgrix running (status Ok), 0 calls queued"},
		{"storage", "100", "", 100, check.OK, ", 100 calls in storage"},
		{"storage", "100", "", 101, check.Warning, ", 101 calls in storage (warning: above 100)"},
		{"storage", "100", "200", 200, check.Warning, "(warning: above 100)"},
		{"storage", "100", "200", 201, check.Critical, "(critical: above 200)"},
		{"storage", "", "@0:0", 0, check.Critical, ", 0 calls in storage (critical: inside 0:0)"},
		{"storage", "1:", "", 1, check.OK, ", 1 call in storage"},
		{"storage", "1:", "", 0, check.Warning, "(warning: below 1)"},
		{"batch", "", "", 500, check.OK, "Itgrix running (status Ok), 0 calls queued"},
		{"batch", "50", "", 50, check.OK, ", 50 CRM requests waiting for a batch"},
		{"batch", "50", "", 51, check.Warning, ", 51 CRM requests waiting for a batch (warning: above 50)"},
		{"batch", "50", "100", 101, check.Critical, "(critical: above 100)"},
		{"batch", "~:10", "", 1, check.OK, ", 1 CRM request waiting for a batch"},
		{"batch", "@10:20", "", 10, check.Warning, "(warning: inside 10:20)"},
	}
	for _, c := range cases {
		o := DefaultOptions()
		var w, cr *check.Range
		if c.warn != "" {
			w = mustRange(t, c.warn)
		}
		if c.crit != "" {
			cr = mustRange(t, c.crit)
		}
		var d, label string
		if c.which == "storage" {
			o.StorageWarning, o.StorageCritical = w, cr
			d = fmt.Sprintf(`{"app_status":"Ok","app_state":"","app":{"calls_queue":{"calls":0},"calls_storage":{"calls":%v}}}`, c.n)
			label = "calls_storage"
		} else {
			o.BatchWarning, o.BatchCritical = w, cr
			d = fmt.Sprintf(`{"app_status":"Ok","app_state":"","app":{"calls_queue":{"calls":0},"crm":{"manager":{"batch_queue":%v}}}}`, c.n)
			label = "crm_batch_queue"
		}
		r := Evaluate(parse(t, d), o, now)
		if r.State != c.want || !leads(r, c.phrase) {
			t.Errorf("%s warn %q crit %q n %v: %v %q, want %v with %q leading", c.which, c.warn, c.crit, c.n, r.State, r.Summary, c.want, c.phrase)
		}
		found := false
		for _, p := range r.Perf {
			if p.Label == label {
				found = true
				if p.Warn != c.warn || p.Crit != c.crit || p.Value != c.n {
					t.Errorf("%s perf %+v", c.which, p)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s metric in %+v", c.which, label, r.Perf)
		}
	}
}

func TestStorageAndBatchMissing(t *testing.T) {
	o := DefaultOptions()
	o.StorageCritical, o.BatchWarning = mustRange(t, "10"), mustRange(t, "10")
	r := Evaluate(parse(t, `{"app_status":"Ok","app_state":"","app":{"calls_storage":{"calls":"x"}}}`), o, now)
	want := "call storage not checked: app.calls_storage.calls is a string, expected a number" +
		", CRM batch queue not checked: app.crm.manager.batch_queue is missing, Itgrix running (status Ok)"
	if r.State != check.Unknown || r.Summary != want {
		t.Errorf("%v %q", r.State, r.Summary)
	}
}

// TestCRMOffAndClickToCall: the switches decide a state only through
// --crm-off-state and --c2c-state, and line 1 says which switch.
func TestCRMOffAndClickToCall(t *testing.T) {
	sw := func(crm, manager, connector, c2cOn, c2cConnected any) string {
		return fmt.Sprintf(`{"app_status":"Ok","app_state":"","app":{"crm":{"on":%s,"manager":{"on":%s,"connector":{"on":%s}}},"c2c":{"on":%s,"connected":%s}}}`,
			jsonValue(crm), jsonValue(manager), jsonValue(connector), jsonValue(c2cOn), jsonValue(c2cConnected))
	}
	cases := []struct {
		name        string
		doc         string
		crmOff, c2c check.State
		want        check.State
		summary     string
	}{
		{"all on", sw(true, true, true, true, true), check.Critical, check.Critical, check.OK, "Itgrix running (status Ok)"},
		{"link off, default", sw(false, true, true, true, true), check.OK, check.OK, check.OK, "Itgrix running (status Ok)"},
		{"link off", sw(false, true, true, true, true), check.Warning, check.OK, check.Warning, "CRM link switched off, Itgrix running (status Ok)"},
		{"manager off", sw(true, false, true, true, true), check.Critical, check.OK, check.Critical, "CRM manager switched off, Itgrix running (status Ok)"},
		{"connector off", sw(true, true, false, true, true), check.Unknown, check.OK, check.Unknown, "CRM connector switched off, Itgrix running (status Ok)"},
		{"all off", sw(false, false, false, true, true), check.Warning, check.OK, check.Warning, "CRM link, manager and connector switched off, Itgrix running (status Ok)"},
		{"switch not a boolean", sw("off", nil, true, true, true), check.Critical, check.OK, check.OK, "Itgrix running (status Ok)"},
		{"c2c down, default", sw(true, true, true, true, false), check.OK, check.OK, check.OK, "Itgrix running (status Ok)"},
		{"c2c down", sw(true, true, true, true, false), check.OK, check.Warning, check.Warning, "click-to-call not connected, Itgrix running (status Ok)"},
		{"c2c off", sw(true, true, true, false, false), check.OK, check.Critical, check.OK, "Itgrix running (status Ok)"},
		{"c2c connection unknown", sw(true, true, true, true, nil), check.OK, check.Critical, check.OK, "Itgrix running (status Ok)"},
		{"both", sw(true, true, false, true, false), check.Warning, check.Critical, check.Critical, "click-to-call not connected, CRM connector switched off, Itgrix running (status Ok)"},
	}
	for _, c := range cases {
		o := DefaultOptions()
		o.CRMOff, o.C2C = c.crmOff, c.c2c
		r := Evaluate(parse(t, c.doc), o, now)
		if r.State != c.want || r.Summary != c.summary {
			t.Errorf("%s: %v %q, want %v %q", c.name, r.State, r.Summary, c.want, c.summary)
		}
	}
}

func TestExact(t *testing.T) {
	cases := map[time.Duration]string{
		0: "0s", 299 * time.Second: "4m 59s", 90 * time.Minute: "1h 30m", 24 * time.Hour: "1d",
		36*time.Hour + time.Second: "1d 12h 1s", 1500 * time.Millisecond: "1s 500ms",
	}
	for d, want := range cases {
		if got := Exact(d); got != want {
			t.Errorf("Exact(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestLineOneLeadsWithTheDecider: with every alert at once, line 1 starts
// with what made the state, so the 200-character cut never hides it.
func TestLineOneLeadsWithTheDecider(t *testing.T) {
	d := `{"app_status":"Warning","app_state":"restarting","app_err":"` + strings.Repeat("the CRM answered slowly ", 8) + `",
	"app":{"calls_queue":{"calls":50},"calls_storage":{"calls":500},"crm":{"on":false,"manager":{"on":true,"batch_queue":70,"connector":{"on":true}},
	"users_cache":{"last_updated":"2026-11-20 09:00:00.000 +00:00"}},"c2c":{"on":true,"connected":false}}}`
	o := DefaultOptions()
	o.QueueWarning, o.StorageWarning, o.BatchWarning = mustRange(t, "10"), mustRange(t, "100"), mustRange(t, "50")
	o.CacheAgeWarning = dur(time.Hour)
	o.C2C, o.CRMOff = check.Warning, check.Critical
	var buf strings.Builder
	if err := check.Write(&buf, Evaluate(parse(t, d), o, now), 0, check.IcingaWeb2); err != nil {
		t.Fatal(err)
	}
	line1, _, _ := strings.Cut(buf.String(), "\n")
	if !strings.HasPrefix(line1, "CRITICAL: CRM link switched off, ") {
		t.Errorf("line 1 does not lead with the switch that decided CRITICAL:\n%s", line1)
	}
}

// TestStateMetricsCarryTheirStates: app_state and app_status carry the
// ranges their codes alert under, following --restarting-state and
// --stopped-state, so a stopped connector's pie is not drawn green.
func TestStateMetricsCarryTheirStates(t *testing.T) {
	doc := parse(t, `{"app_status":"Error","app_state":"stopped"}`)
	o := DefaultOptions()
	want := map[string][2]string{"app_status": {"0", "1"}, "app_state": {"0", "1"}}
	o2 := DefaultOptions()
	o2.Stopped, o2.Restarting = check.Warning, check.OK
	want2 := map[string][2]string{"app_status": {"0", "1"}, "app_state": {"1", ""}}
	for _, c := range []struct {
		o    Options
		want map[string][2]string
	}{{o, want}, {o2, want2}} {
		for _, p := range Evaluate(doc, c.o, now).Perf {
			if w, ok := c.want[p.Label]; ok && (p.Warn != w[0] || p.Crit != w[1] || p.Value != 2 || p.Max != "2") {
				t.Errorf("%s: %+v, want warn %q crit %q", p.Label, p, w[0], w[1])
			}
		}
	}
}

// TestCacheTimestampsAtTheEndsOfTime: a last_updated in year 9999 is far
// ahead, never a negative skew; one on 0001-01-01, the zero time programs
// write for "never", is older than any threshold and gives no age metric
// (2000 years would flatten every graph), not an age stuck at 292 years;
// a year-2 timestamp is an age, told in years.
func TestCacheTimestampsAtTheEndsOfTime(t *testing.T) {
	cases := []struct {
		name, ts string
		crit     *time.Duration
		want     check.State
		summary  string
		long     string
		age      float64 // -1: no metric
	}{
		{"year 9999", `"9999-12-31 23:59:59.999 +00:00"`, dur(time.Hour), check.OK, "Itgrix running (status Ok)",
			"(7978y 145d ahead of this host's clock: clock skew, counted as age 0)", 0},
		{"year 1, no thresholds", `"0001-01-01 00:00:00.000 +00:00"`, nil, check.OK, "Itgrix running (status Ok)",
			"updated 0001-01-01 00:00:00.000 +00:00 (never updated)", -1},
		{"year 1", `"0001-01-01T00:00:00Z"`, dur(24 * time.Hour), check.Critical, "users cache never updated (critical: older than 1d), Itgrix running (status Ok)",
			"(never updated)", -1},
		{"year 2", `"0002-03-04 05:06:07.000 +00:00"`, dur(24 * time.Hour), check.Critical, "users cache updated 2026y 26d ago (critical",
			"(2026y 26d ago)", 63894207233},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := DefaultOptions()
			o.CacheAgeCritical = c.crit
			r := Evaluate(parse(t, cacheDoc(c.ts)), o, now)
			var lines []string
			for _, p := range r.Parts {
				lines = append(lines, p.Line)
			}
			long := strings.Join(append(lines, r.Long...), "\n")
			if r.State != c.want || !strings.HasPrefix(r.Summary, c.summary) || !strings.Contains(long, c.long) || strings.Contains(long, "(-") {
				t.Errorf("%v %q\n%s\nwant %v %q with %q", r.State, r.Summary, long, c.want, c.summary, c.long)
			}
			age := -1.0
			for _, p := range r.Perf {
				if p.Label == "users_cache_age" {
					age = p.Value
				}
			}
			if age != c.age {
				t.Errorf("users_cache_age %v, want %v", age, c.age)
			}
		})
	}
}
