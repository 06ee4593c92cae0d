package integration

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Direct is the plugin's own answer: run directly with the arguments the
// engine used.
type Direct struct {
	State    int
	Output   string
	Long     []string // non-empty lines after line 1
	Perfdata string
}

// ParseOutput splits plugin output into line 1, the non-empty long-output
// lines and the performance data after the last '|'.
func ParseOutput(state int, out string) Direct {
	text, perf := out, ""
	if i := strings.LastIndex(out, "|"); i >= 0 {
		text, perf = out[:i], out[i+1:]
	}
	lines := strings.Split(text, "\n")
	d := Direct{State: state, Output: strings.TrimRight(lines[0], " \t\r"), Perfdata: strings.TrimSpace(perf)}
	d.Long = nonEmpty(strings.Join(lines[1:], "\n"))
	return d
}

func nonEmpty(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimRight(l, " \t\r"))
		}
	}
	return out
}

// perfFormat is 'label'=value[UOM];[warn];[crit];[min];[max] as the Nagios
// plugin guidelines write it (labels here never contain spaces).
var perfFormat = regexp.MustCompile(`^'?[A-Za-z0-9_]+'?=-?[0-9]+(\.[0-9]+)?(s|ms|us|%|B|KB|MB|TB|c)?(;(@?-?[0-9.~]*:?-?[0-9.]*)?){0,4}$`)

var perfToken = regexp.MustCompile(`'?([^'=\s]+)'?=([-0-9.]+)([a-zA-Z%]*)((?:;[^;\s]*){0,4})`)

// metric is one performance-data value and the rest of its token (unit and
// thresholds).
type metric struct{ value, rest string }

// parsePerf reads label -> metric from performance data as Nagios defines it.
func parsePerf(s string) map[string]metric {
	out := map[string]metric{}
	for _, m := range perfToken.FindAllStringSubmatch(s, -1) {
		out[m[1]] = metric{m[2], m[3] + m[4]}
	}
	return out
}

// Compare lists how an engine's result differs from the plugin run directly
// and from the case's expected state; none means the case passed.
func Compare(r Result, d Direct) []string {
	var problems []string
	if r.State != r.Case.Want || d.State != r.Case.Want {
		problems = append(problems, fmt.Sprintf("state %d (plugin %d), want %d", r.State, d.State, r.Case.Want))
	}
	if got := strings.TrimRight(r.Output, " \t\r"); got != d.Output {
		problems = append(problems, fmt.Sprintf("output %q != plugin %q", got, d.Output))
	}
	var badFormat []string
	for _, tok := range strings.Fields(r.Perfdata) {
		if !perfFormat.MatchString(tok) {
			badFormat = append(badFormat, tok)
		}
	}
	if len(badFormat) > 0 {
		problems = append(problems, fmt.Sprintf("perfdata not in the guidelines' format: %q", badFormat))
	} else if strings.TrimSpace(r.Perfdata) == "" {
		problems = append(problems, "perfdata not in the guidelines' format: none recorded")
	}
	got, want := parsePerf(r.Perfdata), parsePerf(d.Perfdata)
	if len(want) == 0 || !slices.Equal(sortedKeys(got), sortedKeys(want)) {
		problems = append(problems, fmt.Sprintf("perfdata labels %v != plugin %v", sortedKeys(got), sortedKeys(want)))
	}
	for _, label := range sortedKeys(want) {
		w, g := want[label], got[label]
		if _, ok := got[label]; !ok {
			continue // reported with the labels above
		}
		// The response time differs from run to run: compare its unit and
		// thresholds only. An engine that drops a token it cannot parse
		// (Icinga 2 does, silently) shows up here as a lost unit.
		if label == "time" {
			g.value = w.value
		}
		// The users cache's age grows by the seconds between the engine's
		// run and the direct one, which comes later: allow that, no more.
		if label == "users_cache_age" && agedBy(g.value, w.value, ageSlack) {
			g.value = w.value
		}
		if g != w {
			problems = append(problems, fmt.Sprintf("perfdata %s=%s%s != plugin %s%s", label, got[label].value, got[label].rest, w.value, w.rest))
		}
	}
	recorded := nonEmpty(r.Long)
	if len(d.Long) > 0 && !slices.Equal(head(d.Long, 3), head(recorded, 3)) {
		problems = append(problems, fmt.Sprintf("long output %q != plugin %q", head(recorded, 3), head(d.Long, 3)))
	}
	// Every subcheck line, backslash and state included, reaches the
	// engine as printed: the web UIs draw its [STATE] as a state ball.
	if got, want := Subchecks(recorded), Subchecks(d.Long); !slices.Equal(sameAge(got), sameAge(want)) {
		problems = append(problems, fmt.Sprintf("subcheck lines %q != plugin %q", got, want))
	}
	return problems
}

// subcheck is a long-output line in monitoring-plugins 3's form:
// "\_[STATE] text".
var subcheck = regexp.MustCompile(`^\\_\[(OK|WARNING|CRITICAL|UNKNOWN)\] \S`)

// ageWords is how the plugins say an age ("5m ago", "3d 2h ago"), which
// grows between the engine's run and the direct one, as users_cache_age
// does; timestamps are the simulator's, relative to when it was asked.
var (
	ageWords   = regexp.MustCompile(`\b[0-9]+[ydhms]( [0-9]+[ydhm])? ago\b`)
	timestamps = regexp.MustCompile(`\b[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?( ?[+-][0-9]{2}:[0-9]{2}|Z)?`)
)

// sameAge words every age and timestamp in lines alike.
func sameAge(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = ageWords.ReplaceAllString(timestamps.ReplaceAllString(l, "TIME"), "AGE ago")
	}
	return out
}

// Subchecks are the long-output lines in monitoring-plugins 3's form, in
// their order.
func Subchecks(long []string) []string {
	var out []string
	for _, l := range long {
		if subcheck.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// ageSlack bounds how much older the direct run may see the users cache
// than the engine did: at most the time between the two runs.
const ageSlack = 5 * 60

// agedBy reports whether the value later is earlier plus at most slack,
// never less. The unit is compared apart, with the rest of the token.
func agedBy(earlier, later string, slack float64) bool {
	e, err1 := strconv.ParseFloat(earlier, 64)
	l, err2 := strconv.ParseFloat(later, 64)
	return err1 == nil && err2 == nil && l >= e && l-e <= slack
}

func head(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
