// Package app decides the state of the Itgrix connector from its status
// document: app_status and app_state mapped to Nagios states; the call
// queue, call storage and CRM batch queue against optional ranges; the age
// of the users cache; the CRM link and click-to-call switches; and what an
// operator reads first when paged.
package app

import (
	"fmt"
	"math"
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
	// StorageWarning and StorageCritical apply to app.calls_storage.calls,
	// BatchWarning and BatchCritical to app.crm.manager.batch_queue.
	StorageWarning  *check.Range
	StorageCritical *check.Range
	BatchWarning    *check.Range
	BatchCritical   *check.Range
	// CacheAgeWarning and CacheAgeCritical alert when the users cache was
	// last refreshed longer ago than they say; nil means no threshold.
	CacheAgeWarning  *time.Duration
	CacheAgeCritical *time.Duration
	// CRMOff is the state when the CRM link, its manager or its connector
	// is switched off; C2C the state when click-to-call is switched on but
	// not connected.
	CRMOff check.State
	C2C    check.State
}

// DefaultOptions are the contract's defaults.
func DefaultOptions() Options {
	return Options{Restarting: check.Warning, Stopped: check.Critical, CRMOff: check.OK, C2C: check.OK}
}

// Validate checks the options together.
func (o Options) Validate() error {
	for _, d := range []*time.Duration{o.CacheAgeWarning, o.CacheAgeCritical} {
		if d != nil && *d < 0 {
			return check.Errorf("cache age must not be negative")
		}
	}
	if o.CacheAgeWarning != nil && o.CacheAgeCritical != nil && *o.CacheAgeCritical < *o.CacheAgeWarning {
		return check.Errorf("--cache-age-critical (%s) must not be shorter than --cache-age-warning (%s)",
			check.Ours(check.FormatNumber(o.CacheAgeCritical.Seconds())+"s"), check.Ours(check.FormatNumber(o.CacheAgeWarning.Seconds())+"s"))
	}
	return nil
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
	status, statusKnown := judge(s.AppStatus, statusMeanings())
	state, stateKnown := judge(s.AppState, stateMeanings(o))
	cache := judgeCache(s, o, now)
	r := check.Result{Parts: []check.Part{
		// Line 1 has always said both in one phrase: "Itgrix stopped
		// (status Error)".
		{State: check.Worst(state.state, status.state), Phrase: state.phrase + " (" + status.phrase + ")"},
		{State: state.state, Line: elementLine(s.AppState, stateKnown)},
		{State: status.state, Line: elementLine(s.AppStatus, statusKnown)},
		count(s.CallsQueue, o.QueueWarning, o.QueueCritical, "call queue", queuedWords, true),
		count(s.CallsStorage, o.StorageWarning, o.StorageCritical, "call storage", storedWords, false),
		count(s.BatchQueue, o.BatchWarning, o.BatchCritical, "CRM batch queue", batchWords, false),
		cache.part,
		crmOff(s, o),
		c2cDown(s, o),
	}}
	r.State, r.Summary = check.Combine(r.Parts...)
	errText := ""
	if s.AppErr.Ok() {
		errText = check.Text(s.AppErr.Value)
	}
	if errText != "" {
		r.Summary += ": " + check.Shorten(errText, maxErrInSummary)
	}
	r.Long = longOutput(s, o, now, cache.part.Line == "")
	// The state metrics carry the ranges their codes alert under, so the
	// web UIs' pies take the state's colour.
	if statusKnown {
		warn, crit := check.StateRanges(check.OK, check.Warning, check.Critical)
		r.Perf = append(r.Perf, check.Perf{Label: "app_status", Value: status.code, Warn: warn, Crit: crit, Min: "0", Max: "2"})
	}
	if stateKnown {
		warn, crit := check.StateRanges(check.OK, o.Restarting, o.Stopped)
		r.Perf = append(r.Perf, check.Perf{Label: "app_state", Value: state.code, Warn: warn, Crit: crit, Min: "0", Max: "2"})
	}
	r.Perf = append(r.Perf, countPerfData(s, o)...)
	if cache.age != nil {
		m := check.Perf{Label: "users_cache_age", Value: math.Floor(*cache.age), UOM: "s", Min: "0"}
		if o.CacheAgeWarning != nil {
			m.Warn = check.FormatNumber(o.CacheAgeWarning.Seconds())
		}
		if o.CacheAgeCritical != nil {
			m.Crit = check.FormatNumber(o.CacheAgeCritical.Seconds())
		}
		r.Perf = append(r.Perf, m)
	}
	return r
}

// elementLine is app_state's or app_status's own line: its value as sent,
// or what is wrong with it.
func elementLine(e itgrix.Elem[string], known bool) string {
	switch {
	case !e.Ok():
		return e.Problem()
	case !known:
		return e.Path + ": " + check.Quote(e.Value) + " (unexpected)"
	}
	return e.Path + ": " + check.Quote(e.Value)
}

// meaning is what one known value of app_status or app_state stands for:
// its state, how line 1 says it, and its code in the performance data.
type meaning struct {
	state  check.State
	phrase string
	code   float64
}

func statusMeanings() map[string]meaning {
	return map[string]meaning{
		"ok":      {check.OK, "status Ok", 0},
		"warning": {check.Warning, "status Warning", 1},
		"error":   {check.Critical, "status Error", 2},
	}
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

// count judges one of the document's counts against its ranges. Without a
// range it says nothing in line 1 unless always (the call queue, which
// line 1 has always shown) and has no line of its own (the long output's
// queues line shows it); with one, a missing count is UNKNOWN by name.
func count(e itgrix.Elem[float64], warn, crit *check.Range, name string, words func(float64) string, always bool) check.Part {
	thresholds := warn != nil || crit != nil
	if !e.Ok() {
		if thresholds {
			p := name + " not checked: " + e.Problem()
			return check.Part{State: check.Unknown, Phrase: p, Line: p}
		}
		return check.Part{}
	}
	if !thresholds && !always {
		return check.Part{}
	}
	p := check.Part{Phrase: words(e.Value)}
	switch {
	case crit != nil && crit.Alerts(e.Value):
		p.State, p.Phrase = check.Critical, p.Phrase+" (critical: "+crit.Describe(e.Value)+")"
	case warn != nil && warn.Alerts(e.Value):
		p.State, p.Phrase = check.Warning, p.Phrase+" (warning: "+warn.Describe(e.Value)+")"
	}
	if thresholds {
		p.Line = name + ": " + p.Phrase
	}
	return p
}

func calls(n float64) string {
	if n == 1 {
		return "1 call"
	}
	return check.FormatNumber(n) + " calls"
}

func queuedWords(n float64) string { return calls(n) + " queued" }
func storedWords(n float64) string { return calls(n) + " in storage" }
func batchWords(n float64) string {
	if n == 1 {
		return "1 CRM request waiting for a batch"
	}
	return check.FormatNumber(n) + " CRM requests waiting for a batch"
}

// cacheJudgement is the users cache's age in seconds (nil when the
// document has no readable timestamp or says the cache was never
// refreshed) and its part.
type cacheJudgement struct {
	age  *float64
	part check.Part
}

// judgeCache ages the users cache. A timestamp ahead of now counts as age
// 0: clock skew between the PBX and the monitoring host is not the cache
// going stale. A timestamp in year 1, the zero time many programs write
// for "never", says the cache was never refreshed: older than any
// threshold, with no age metric, whose 2000 years would flatten every
// graph. The part has a line only when there are thresholds; without them
// the cache is a fact in the long output.
func judgeCache(s *itgrix.Status, o Options, now time.Time) cacheJudgement {
	e := s.UsersUpdated
	thresholds := o.CacheAgeWarning != nil || o.CacheAgeCritical != nil
	if !e.Ok() {
		if thresholds {
			p := "users cache age not checked: " + e.Problem()
			return cacheJudgement{part: check.Part{State: check.Unknown, Phrase: p, Line: p}}
		}
		return cacheJudgement{}
	}
	var j cacheJudgement
	older := func(d *time.Duration) bool { return d != nil }
	phrase := "users cache never updated"
	if !never(e.Value.Time) {
		age := max(since(now, e.Value.Time), 0)
		j.age = &age
		older = func(d *time.Duration) bool { return d != nil && age > d.Seconds() }
		phrase = "users cache updated " + ago(age)
	}
	// Line 1 names the age only when it alerts: an age within bounds
	// would change line 1 every minute and says nothing to act on.
	switch {
	case older(o.CacheAgeCritical):
		j.part = check.Part{State: check.Critical, Phrase: phrase + " (critical: older than " + Exact(*o.CacheAgeCritical) + ")"}
	case older(o.CacheAgeWarning):
		j.part = check.Part{State: check.Warning, Phrase: phrase + " (warning: older than " + Exact(*o.CacheAgeWarning) + ")"}
	}
	if thresholds {
		j.part.Line = "users cache: " + usersCache(s, now)
	}
	return j
}

// never reports whether a timestamp is the zero time written for "never":
// any moment of 0001-01-01.
func never(t time.Time) bool { return t.Year() == 1 && t.YearDay() == 1 }

// since is how many seconds before now t was (negative when t is later),
// without time.Duration's saturation at 292 years: a document's timestamp
// may be anywhere from year 1 to 9999.
func since(now, t time.Time) float64 {
	return float64(now.Unix()-t.Unix()) + float64(now.Nanosecond()-t.Nanosecond())/1e9
}

// crmOff applies --crm-off-state when the CRM link, its manager or its
// connector is switched off. At the default (OK) line 1 stays as it was:
// the CRM line shows the switches anyway.
func crmOff(s *itgrix.Status, o Options) check.Part {
	var off []string
	for _, sw := range []struct {
		name string
		e    itgrix.Elem[bool]
	}{{"link", s.CRMOn}, {"manager", s.ManagerOn}, {"connector", s.ConnectorOn}} {
		if sw.e.Ok() && !sw.e.Value {
			off = append(off, sw.name)
		}
	}
	p := check.Part{}
	if crm := crmLine(s); crm != "" {
		p.Line = "CRM: " + crm
	}
	if len(off) > 0 && o.CRMOff != check.OK {
		p.State, p.Phrase = o.CRMOff, "CRM "+joinWords(off)+" switched off"
	}
	return p
}

// c2cDown applies --c2c-state when click-to-call is switched on but not
// connected; switched off is a choice, not a fault.
func c2cDown(s *itgrix.Status, o Options) check.Part {
	if !s.C2COn.Ok() {
		return check.Part{}
	}
	p := check.Part{Line: "click-to-call: " + onOff(s.C2COn.Value) + ", " + yesNo(s.C2CConnected, "connected", "not connected")}
	if s.C2COn.Value && s.C2CConnected.Ok() && !s.C2CConnected.Value && o.C2C != check.OK {
		p.State, p.Phrase = o.C2C, "click-to-call not connected"
	}
	return p
}

func joinWords(w []string) string {
	if len(w) <= 1 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}

// longOutput is what the check shows without judging it: app_err whole,
// the users cache (when no age threshold judges it), the counts without
// thresholds, the licence, and the elements it could not read.
func longOutput(s *itgrix.Status, o Options, now time.Time, cache bool) []string {
	var long []string
	if s.AppErr.Ok() && strings.TrimSpace(s.AppErr.Value) != "" {
		for i, l := range check.Lines(s.AppErr.Value) {
			if i == 0 {
				l = "app_err: " + l
			}
			long = append(long, l)
		}
	}
	if c := usersCache(s, now); cache && c != "" {
		long = append(long, "users cache: "+c)
	}
	var queues []string
	for _, q := range []struct {
		name     string
		e        itgrix.Elem[float64]
		judgedBy *check.Range
		or       *check.Range
	}{
		{"calls", s.CallsQueue, o.QueueWarning, o.QueueCritical},
		{"storage", s.CallsStorage, o.StorageWarning, o.StorageCritical},
		{"CRM batch", s.BatchQueue, o.BatchWarning, o.BatchCritical},
	} {
		if q.e.Ok() && q.judgedBy == nil && q.or == nil {
			queues = append(queues, q.name+" "+check.FormatNumber(q.e.Value))
		}
	}
	if len(queues) > 0 {
		long = append(long, "queues: "+strings.Join(queues, ", "))
	}
	if s.LicenseType.Ok() {
		lic := check.Text(s.LicenseType.Value)
		if s.LicenseValid.Ok() && s.LicenseValid.Value != "" {
			lic += ", valid till " + check.Text(s.LicenseValid.Value)
		}
		long = append(long, "licence: "+lic)
	}
	// app_status and app_state have lines of their own, problems and all.
	for _, p := range s.Wrong(s.AppStatus.Path, s.AppState.Path) {
		long = append(long, "ignored: "+p)
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
	if s.ManagerOn.Ok() {
		parts = append(parts, "manager "+onOff(s.ManagerOn.Value))
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
	if s.UsersUpdated.Ok() {
		upd := "updated " + check.Text(s.UsersUpdated.Value.Raw)
		switch d := since(now, s.UsersUpdated.Value.Time); {
		case never(s.UsersUpdated.Value.Time):
			upd += " (never updated)"
		case d < 0:
			upd += " (" + span(-d) + " ahead of this host's clock: clock skew, counted as age 0)"
		default:
			upd += " (" + ago(d) + ")"
		}
		parts = append(parts, upd)
	}
	return strings.Join(parts, ", ")
}

// Age says how long ago something happened, coarsely: "3d 4h ago".
func Age(d time.Duration) string { return ago(d.Seconds()) }

func ago(sec float64) string {
	if sec < 0 {
		return "in the future: check the clocks"
	}
	return span(sec) + " ago"
}

// Exact says a threshold to the second, in days, hours, minutes and
// seconds, leaving out the zero units: "1d", "1h 30m", "4m 59s", "0s".
// A threshold must read as set, never rounded.
func Exact(d time.Duration) string {
	var parts []string
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			parts = append(parts, fmt.Sprintf("%d%s", n, u.name))
			d -= n * u.unit
		}
	}
	if d > 0 {
		parts = append(parts, d.String())
	}
	if len(parts) == 0 {
		return "0s"
	}
	return strings.Join(parts, " ")
}

// span says a length of time in seconds coarsely, the larger two units:
// "7973y 12d", "3d 4h", "2h 5m", "5m", "59s". It counts whole seconds in an
// int64, so a timestamp thousands of years away reads right.
func span(sec float64) string {
	const minute, hour, day, year = 60, 3600, 86400, 365 * 86400
	s := int64(sec)
	switch {
	case s >= year:
		return fmt.Sprintf("%dy %dd", s/year, s%year/day)
	case s >= day:
		return fmt.Sprintf("%dd %dh", s/day, s%day/hour)
	case s >= hour:
		return fmt.Sprintf("%dh %dm", s/hour, s%hour/minute)
	case s >= minute:
		return fmt.Sprintf("%dm", s/minute)
	}
	return fmt.Sprintf("%ds", s)
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

// countPerfData reports the queue and cache counts the document has.
func countPerfData(s *itgrix.Status, o Options) []check.Perf {
	var perf []check.Perf
	for _, c := range []struct {
		label      string
		e          itgrix.Elem[float64]
		warn, crit *check.Range
	}{
		{"calls_queue", s.CallsQueue, o.QueueWarning, o.QueueCritical},
		{"calls_storage", s.CallsStorage, o.StorageWarning, o.StorageCritical},
		{"crm_batch_queue", s.BatchQueue, o.BatchWarning, o.BatchCritical},
		{"users_cache_users", s.Users, nil, nil},
		{"users_cache_phones", s.Phones, nil, nil},
	} {
		if !c.e.Ok() {
			continue
		}
		m := check.Perf{Label: c.label, Value: c.e.Value, Min: "0"}
		if c.warn != nil {
			m.Warn = c.warn.String()
		}
		if c.crit != nil {
			m.Crit = c.crit.String()
		}
		perf = append(perf, m)
	}
	return perf
}
