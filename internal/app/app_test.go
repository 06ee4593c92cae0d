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
			if statusV == nil && stateV == nil {
				want = check.Unknown
			}
			name := fmt.Sprintf("status=%v/state=%v", st.value, sa.value)
			t.Run(name, func(t *testing.T) {
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
		if r.State != c.want || !strings.HasSuffix(r.Summary, c.phrase) {
			t.Errorf("warn %q crit %q calls %v: %v %q, want %v ending %q", c.warn, c.crit, c.calls, r.State, r.Summary, c.want, c.phrase)
		}
	}
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
