// Package app decides the state of the Itgrix connector from its status
// document: app_status and app_state mapped to Nagios states, the call queue
// against optional ranges, and what an operator reads first when paged.
package app

import (
	"fmt"
	"strings"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
)

// Options are the app check's own settings.
type Options struct {
	// Restarting and Stopped are the states for app_state "restarting"
	// and "stopped".
	Restarting check.State
	Stopped    check.State
	// QueueWarning and QueueCritical apply to app.calls_queue.calls; nil
	// means no threshold.
	QueueWarning  *check.Range
	QueueCritical *check.Range
}

// DefaultOptions are the contract's defaults.
func DefaultOptions() Options {
	return Options{Restarting: check.Warning, Stopped: check.Critical}
}

// maxErrInSummary keeps app_err from crowding line 1; the long output has it whole.
const maxErrInSummary = 100

// Evaluate judges the document; now only ages the users cache.
func Evaluate(s *itgrix.Status, o Options, now time.Time) check.Result {
	if s.AppStatus.Is == itgrix.Missing && s.AppState.Is == itgrix.Missing {
		return check.Result{
			State:   check.Unknown,
			Summary: "not an Itgrix status document: app_status and app_state are missing",
		}
	}
	status, statusKnown := judge(s.AppStatus, statusMeanings)
	state, stateKnown := judge(s.AppState, stateMeanings(o))
	queueState, queuePhrase := queue(s.CallsQueue, o)

	r := check.Result{State: check.Worst(status.state, state.state, queueState)}
	r.Summary = state.phrase + " (" + status.phrase + ")" + queuePhrase
	errText := ""
	if s.AppErr.Ok() {
		errText = check.Text(s.AppErr.Value)
	}
	if errText != "" {
		r.Summary += ": " + check.Shorten(errText, maxErrInSummary)
	}
	r.Long = longOutput(s, now)
	if statusKnown {
		r.Perf = append(r.Perf, check.Perf{Label: "app_status", Value: status.code, Min: "0", Max: "2"})
	}
	if stateKnown {
		r.Perf = append(r.Perf, check.Perf{Label: "app_state", Value: state.code, Min: "0", Max: "2"})
	}
	r.Perf = append(r.Perf, countPerfData(s, o)...)
	return r
}

// meaning is what one known value of app_status or app_state stands for:
// its state, how line 1 says it, and its code in the performance data.
type meaning struct {
	state  check.State
	phrase string
	code   float64
}

var statusMeanings = map[string]meaning{
	"ok":      {check.OK, "status Ok", 0},
	"warning": {check.Warning, "status Warning", 1},
	"error":   {check.Critical, "status Error", 2},
}

func stateMeanings(o Options) map[string]meaning {
	return map[string]meaning{
		"":           {check.OK, "Itgrix running", 0},
		"restarting": {o.Restarting, "Itgrix restarting", 1},
		"stopped":    {o.Stopped, "Itgrix stopped", 2},
	}
}

// judge maps an element through its table (any case); a missing, mistyped
// or unknown value is UNKNOWN, said by name, with no metric.
func judge(e itgrix.Elem[string], known map[string]meaning) (meaning, bool) {
	if !e.Ok() {
		return meaning{state: check.Unknown, phrase: e.Problem()}, false
	}
	if m, ok := known[strings.ToLower(strings.TrimSpace(e.Value))]; ok {
		return m, true
	}
	return meaning{state: check.Unknown, phrase: "unexpected " + e.Path + " " + check.Quote(e.Value)}, false
}

func queue(e itgrix.Elem[float64], o Options) (check.State, string) {
	thresholds := o.QueueWarning != nil || o.QueueCritical != nil
	if !e.Ok() {
		if thresholds {
			return check.Unknown, ", call queue not checked: " + e.Problem()
		}
		return check.OK, ""
	}
	phrase := ", " + calls(e.Value) + " queued"
	switch {
	case o.QueueCritical != nil && o.QueueCritical.Alerts(e.Value):
		return check.Critical, phrase + " (critical: " + o.QueueCritical.Describe(e.Value) + ")"
	case o.QueueWarning != nil && o.QueueWarning.Alerts(e.Value):
		return check.Warning, phrase + " (warning: " + o.QueueWarning.Describe(e.Value) + ")"
	}
	return check.OK, phrase
}

func calls(n float64) string {
	if n == 1 {
		return "1 call"
	}
	return check.FormatNumber(n) + " calls"
}

func longOutput(s *itgrix.Status, now time.Time) []string {
	var long []string
	add := func(format string, args ...any) { long = append(long, fmt.Sprintf(format, args...)) }

	if s.AppState.Ok() {
		add("app_state: %s", check.Quote(s.AppState.Value))
	}
	if s.AppStatus.Ok() {
		add("app_status: %s", check.Quote(s.AppStatus.Value))
	}
	if s.AppErr.Ok() && strings.TrimSpace(s.AppErr.Value) != "" {
		for i, l := range check.Lines(s.AppErr.Value) {
			if i == 0 {
				l = "app_err: " + l
			}
			long = append(long, l)
		}
	}
	if crm := crmLine(s); crm != "" {
		add("CRM: %s", crm)
	}
	if s.C2COn.Ok() {
		add("click-to-call: %s, %s", onOff(s.C2COn.Value), yesNo(s.C2CConnected, "connected", "not connected"))
	}
	if cache := usersCache(s, now); cache != "" {
		add("users cache: %s", cache)
	}
	var queues []string
	for _, q := range []struct {
		name string
		e    itgrix.Elem[float64]
	}{{"calls", s.CallsQueue}, {"storage", s.CallsStorage}, {"CRM batch", s.BatchQueue}} {
		if q.e.Ok() {
			queues = append(queues, q.name+" "+check.FormatNumber(q.e.Value))
		}
	}
	if len(queues) > 0 {
		add("queues: %s", strings.Join(queues, ", "))
	}
	if s.LicenseType.Ok() {
		lic := check.Text(s.LicenseType.Value)
		if s.LicenseValid.Ok() && s.LicenseValid.Value != "" {
			lic += ", valid till " + check.Text(s.LicenseValid.Value)
		}
		add("licence: %s", lic)
	}
	for _, p := range mistyped(s) {
		add("ignored: %s", p)
	}
	return long
}

func crmLine(s *itgrix.Status) string {
	var parts []string
	if s.CRMType.Ok() {
		parts = append(parts, check.Text(s.CRMType.Value))
	}
	if s.CRMHost.Ok() {
		parts = append(parts, check.Text(s.CRMHost.Value))
	}
	if s.CRMOn.Ok() {
		parts = append(parts, "link "+onOff(s.CRMOn.Value))
	}
	if s.ConnectorOn.Ok() {
		parts = append(parts, "connector "+onOff(s.ConnectorOn.Value))
	}
	return strings.Join(parts, ", ")
}

func usersCache(s *itgrix.Status, now time.Time) string {
	var parts []string
	if s.Users.Ok() {
		parts = append(parts, check.FormatNumber(s.Users.Value)+" users")
	}
	if s.Phones.Ok() {
		parts = append(parts, check.FormatNumber(s.Phones.Value)+" phones")
	}
	if s.UsersUpdated.Ok() && s.UsersUpdated.Value != "" {
		upd := "updated " + check.Text(s.UsersUpdated.Value)
		if t, ok := parseCacheTime(s.UsersUpdated.Value); ok {
			upd += " (" + Age(now.Sub(t)) + ")"
		}
		parts = append(parts, upd)
	}
	return strings.Join(parts, ", ")
}

// cacheLayouts are the users-cache timestamp layouts seen in the vendor's
// documentation, newest first.
var cacheLayouts = []string{"2006-01-02 15:04:05.999999999 -07:00", "2006-01-02 15:04:05 -07:00", time.RFC3339Nano}

func parseCacheTime(v string) (time.Time, bool) {
	for _, l := range cacheLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Age says how long ago something happened, coarsely: "3d 4h ago".
func Age(d time.Duration) string {
	if d < 0 {
		return "in the future: check the clocks"
	}
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh ago", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm ago", d/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm ago", d/time.Minute)
	}
	return fmt.Sprintf("%ds ago", d/time.Second)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func yesNo(e itgrix.Elem[bool], yes, no string) string {
	if !e.Ok() {
		return "connection unknown"
	}
	if e.Value {
		return yes
	}
	return no
}

// mistyped lists optional elements present with the wrong type: they are
// left out of the output, and the operator should know why.
func mistyped(s *itgrix.Status) []string {
	var out []string
	for _, p := range []string{
		s.AppErr.Problem(), s.CallsQueue.Problem(), s.CallsStorage.Problem(), s.BatchQueue.Problem(),
		s.Users.Problem(), s.Phones.Problem(), s.CRMType.Problem(), s.CRMHost.Problem(),
	} {
		if strings.Contains(p, ", expected ") {
			out = append(out, p)
		}
	}
	return out
}

// countPerfData reports the queue and cache counts the document has.
func countPerfData(s *itgrix.Status, o Options) []check.Perf {
	var perf []check.Perf
	if s.CallsQueue.Ok() {
		m := check.Perf{Label: "calls_queue", Value: s.CallsQueue.Value, Min: "0"}
		if o.QueueWarning != nil {
			m.Warn = o.QueueWarning.String()
		}
		if o.QueueCritical != nil {
			m.Crit = o.QueueCritical.String()
		}
		perf = append(perf, m)
	}
	for _, c := range []struct {
		label string
		e     itgrix.Elem[float64]
	}{
		{"calls_storage", s.CallsStorage},
		{"crm_batch_queue", s.BatchQueue},
		{"users_cache_users", s.Users},
		{"users_cache_phones", s.Phones},
	} {
		if c.e.Ok() {
			perf = append(perf, check.Perf{Label: c.label, Value: c.e.Value, Min: "0"})
		}
	}
	return perf
}
