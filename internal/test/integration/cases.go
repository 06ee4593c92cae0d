package integration

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Check names one of the two plugins.
type Check string

// The plugins.
const (
	App     Check = "app"
	License Check = "license"
)

// Plugin is the plugin's file name.
func (c Check) Plugin() string { return "check_itgrix_" + string(c) }

// States as plugins return them.
const (
	OK       = 0
	Warning  = 1
	Critical = 2
	Unknown  = 3
)

// StateName is the state's word in output.
func StateName(s int) string {
	if s >= 0 && s < 4 {
		return [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}[s]
	}
	return "state " + itoa(s)
}

// Case is one scenario checked by one plugin with the arguments contrib/
// gives it, and the state it must give.
type Case struct {
	Scenario string
	Check    Check
	Want     int
}

// Cases is the fixed table every engine runs. A scenario here is served as
// its own PBX; add a row to check a new scenario (itgrix-sim's name) or a
// plugin on another one. The states follow from contrib/'s thresholds.
var Cases = []Case{
	{"healthy", App, OK},
	{"healthy", License, OK},
	{"restarting", App, Warning},
	{"restarting", License, OK},
	{"stopped", App, Critical},
	// A Subscription licence: paid, so contrib's default accepts it.
	{"stopped", License, OK},
	{"expiring", App, OK},
	{"expiring", License, Warning},
	{"expired", App, OK},
	{"expired", License, Critical},
	{"free", App, OK},
	{"free", License, Critical},
	// contrib's app services alert on a users cache older than 3 days, and
	// give --invalid-state critical; the licence services keep UNKNOWN.
	{"stale-cache", App, Critical},
	{"foreign", App, Critical},
	{"foreign", License, Unknown},
	// A PBX's own settings (HostSettings) win over contrib's defaults: 25
	// calls are under this host's queue warning of 30, and this host
	// expects a Subscription licence, so its Professional one pages.
	{"queue", App, OK},
	{"queue", License, Critical},
}

// HostSetting is one of a PBX's own settings, given where an operator gives
// it for one host: an Icinga 2 host var (also a Director host field), a
// Nagios/Naemon host custom variable, or the PBX's own NRPE command line.
type HostSetting struct {
	Icinga string   // the host var, e.g. itgrix_queue_warning
	Nagios string   // the host custom variable, e.g. _ITGRIX_QUEUE_WARNING
	Zabbix string   // the host macro of contrib/zabbix's template, e.g. {$ITGRIX.QUEUE.WARN}
	Flag   string   // the plugin's flag the value reaches
	Values []string // the value; more than one repeats the flag (an Icinga array)
	// List: Icinga takes an array, and Nagios the flags themselves (a
	// custom variable holds one string).
	List bool
}

// HostSettings are the scenarios' hosts' own settings.
var HostSettings = map[string][]HostSetting{
	"queue": {
		{Icinga: "itgrix_queue_warning", Nagios: "_ITGRIX_QUEUE_WARNING", Zabbix: "{$ITGRIX.QUEUE.WARN}", Flag: "--queue-warning", Values: []string{"30"}},
		{Icinga: "itgrix_license_expected_type", Nagios: "_ITGRIX_EXPECTED_TYPES", Zabbix: "{$ITGRIX.LICENSE.TYPES}", Flag: "--expected-type", Values: []string{"Subscription"}, List: true},
	},
}

// IcingaValue is the setting as an Icinga 2 value (JSON is valid Icinga
// syntax for strings and arrays).
func (h HostSetting) IcingaValue() any {
	if h.List {
		return h.Values
	}
	return h.Values[0]
}

// IcingaVars renders a scenario's settings as Host object lines.
func IcingaVars(scenario string) string {
	var b strings.Builder
	for _, h := range HostSettings[scenario] {
		v, _ := json.Marshal(h.IcingaValue())
		fmt.Fprintf(&b, "  vars.%s = %s\n", h.Icinga, v)
	}
	return b.String()
}

// ZabbixValue is the setting as a Zabbix host macro's value: a list is the
// regular expression the template matches the licence type with.
func (h HostSetting) ZabbixValue() string {
	if !h.List {
		return h.Values[0]
	}
	return "^(" + strings.Join(h.Values, "|") + ")$"
}

// NagiosValue is the setting as a Nagios custom variable's value.
func (h HostSetting) NagiosValue() string {
	if !h.List {
		return h.Values[0]
	}
	var parts []string
	for _, v := range h.Values {
		parts = append(parts, h.Flag+" "+v)
	}
	return strings.Join(parts, " ")
}

// NRPELine gives a PBX's NRPE command line its own settings, as the
// operator edits the PBX's copy of contrib/nrpe: a flag's shipped values
// are replaced, where the first stood, by the host's; a command without the
// flag is left alone.
func NRPELine(scenario string, argv []string) []string {
	out := argv
	for _, h := range HostSettings[scenario] {
		var kept []string
		done := false
		for i := 0; i < len(out); i++ {
			if out[i] == h.Flag && i+1 < len(out) {
				if !done {
					for _, v := range h.Values {
						kept = append(kept, h.Flag, v)
					}
					done = true
				}
				i++
				continue
			}
			kept = append(kept, out[i])
		}
		out = kept
	}
	return out
}

// Scenarios lists the scenarios of cases, in table order, each once.
func Scenarios(cases []Case) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cases {
		if !seen[c.Scenario] {
			seen[c.Scenario] = true
			out = append(out, c.Scenario)
		}
	}
	return out
}

// FindCase returns the case of a scenario and check.
func FindCase(cases []Case, scenario string, check Check) (Case, bool) {
	for _, c := range cases {
		if c.Scenario == scenario && c.Check == check {
			return c, true
		}
	}
	return Case{}, false
}

// Checks lists the plugins cases run on a scenario.
func Checks(cases []Case, scenario string) []Check {
	var out []Check
	for _, c := range cases {
		if c.Scenario == scenario {
			out = append(out, c.Check)
		}
	}
	return out
}
