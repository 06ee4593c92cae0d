package integration

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
	{"stopped", License, Critical},
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
