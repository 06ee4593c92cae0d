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
			return fmt.Errorf("cache age must not be negative")
		}
	}
	if o.CacheAgeWarning != nil && o.CacheAgeCritical != nil && *o.CacheAgeCritical < *o.CacheAgeWarning {
		return fmt.Errorf("--cache-age-critical (%s) must not be shorter than --cache-age-warning (%s)",
			check.FormatNumber(o.CacheAgeCritical.Seconds())+"s", check.FormatNumber(o.CacheAgeWarning.Seconds())+"s")
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
	status, statusKnown := judge(s.AppStatus, statusMeanings)
	state, stateKnown := judge(s.AppState, stateMeanings(o))
	queueState, queuePhrase := count(s.CallsQueue, o.QueueWarning, o.QueueCritical, "call queue", queuedWords, true)
	storageState, storagePhrase := count(s.CallsStorage, o.StorageWarning, o.StorageCritical, "call storage", storedWords, false)
	batchState, batchPhrase := count(s.BatchQueue, o.BatchWarning, o.BatchCritical, "CRM batch queue", batchWords, false)
	age, cacheState, cachePhrase := cacheAge(s.UsersUpdated, o, now)
	crmState, crmPhrase := crmOff(s, o)
	c2cState, c2cPhrase := c2cDown(s, o)

	r := check.Result{State: check.Worst(status.state, state.state, queueState, storageState, batchState, cacheState, crmState, c2cState)}
	r.Summary = state.phrase + " (" + status.phrase + ")" + queuePhrase + storagePhrase + batchPhrase + cachePhrase + crmPhrase + c2cPhrase
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
	if age != nil {
		m := check.Perf{Label: "users_cache_age", Value: math.Floor(age.Seconds()), UOM: "s", Min: "0"}
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

// count judges one of the document's counts against its ranges. Without a
// range it says nothing in line 1 unless always (the call queue, which
// line 1 has always shown); with one, a missing count is UNKNOWN by name.
func count(e itgrix.Elem[float64], warn, crit *check.Range, name string, words func(float64) string, always bool) (check.State, string) {
	thresholds := warn != nil || crit != nil
	if !e.Ok() {
		if thresholds {
			return check.Unknown, ", " + name + " not checked: " + e.Problem()
		}
		return check.OK, ""
	}
	if !thresholds && !always {
		return check.OK, ""
	}
	phrase := ", " + words(e.Value)
	switch {
	case crit != nil && crit.Alerts(e.Value):
		return check.Critical, phrase + " (critical: " + crit.Describe(e.Value) + ")"
	case warn != nil && warn.Alerts(e.Value):
		return check.Warning, phrase + " (warning: " + warn.Describe(e.Value) + ")"
	}
	return check.OK, phrase
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

// cacheAge ages the users cache. It returns the age (nil when the document
// has no readable timestamp), the state and the phrase for line 1. A
// timestamp ahead of now counts as age 0: clock skew between the PBX and
// the monitoring host is not the cache going stale.
func cacheAge(e itgrix.Elem[itgrix.Timestamp], o Options, now time.Time) (*time.Duration, check.State, string) {
	thresholds := o.CacheAgeWarning != nil || o.CacheAgeCritical != nil
	if !e.Ok() {
		if thresholds {
			return nil, check.Unknown, ", users cache age not checked: " + e.Problem()
		}
		return nil, check.OK, ""
	}
	age := max(now.Sub(e.Value.Time), 0)
	// Line 1 names the age only when it alerts: an age within bounds
	// would change line 1 every minute and says nothing to act on.
	phrase := ", users cache updated " + Age(age)
	switch {
	case o.CacheAgeCritical != nil && age > *o.CacheAgeCritical:
		return &age, check.Critical, phrase + " (critical: older than " + Exact(*o.CacheAgeCritical) + ")"
	case o.CacheAgeWarning != nil && age > *o.CacheAgeWarning:
		return &age, check.Warning, phrase + " (warning: older than " + Exact(*o.CacheAgeWarning) + ")"
	}
	return &age, check.OK, ""
}

// crmOff applies --crm-off-state when the CRM link, its manager or its
// connector is switched off. At the default (OK) line 1 stays as it was:
// the long output's CRM line shows the switches anyway.
func crmOff(s *itgrix.Status, o Options) (check.State, string) {
	var off []string
	for _, sw := range []struct {
		name string
		e    itgrix.Elem[bool]
	}{{"link", s.CRMOn}, {"manager", s.ManagerOn}, {"connector", s.ConnectorOn}} {
		if sw.e.Ok() && !sw.e.Value {
			off = append(off, sw.name)
		}
	}
	if len(off) == 0 || o.CRMOff == check.OK {
		return check.OK, ""
	}
	return o.CRMOff, ", CRM " + joinWords(off) + " switched off"
}

// c2cDown applies --c2c-state when click-to-call is switched on but not
// connected; switched off is a choice, not a fault.
func c2cDown(s *itgrix.Status, o Options) (check.State, string) {
	if !s.C2COn.Ok() || !s.C2COn.Value || !s.C2CConnected.Ok() || s.C2CConnected.Value || o.C2C == check.OK {
		return check.OK, ""
	}
	return o.C2C, ", click-to-call not connected"
}

func joinWords(w []string) string {
	if len(w) <= 1 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
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
	// app_status and app_state are in line 1 already, problems and all.
	for _, p := range s.Wrong(s.AppStatus.Path, s.AppState.Path) {
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
		if d := now.Sub(s.UsersUpdated.Value.Time); d < 0 {
			upd += " (" + Duration(-d) + " ahead of this host's clock: clock skew, counted as age 0)"
		} else {
			upd += " (" + Age(d) + ")"
		}
		parts = append(parts, upd)
	}
	return strings.Join(parts, ", ")
}

// Age says how long ago something happened, coarsely: "3d 4h ago".
func Age(d time.Duration) string {
	if d < 0 {
		return "in the future: check the clocks"
	}
	return Duration(d) + " ago"
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

// Duration says a length of time coarsely, the larger two units: "3d 4h",
// "2h 5m", "5m", "59s".
func Duration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", d/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
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
