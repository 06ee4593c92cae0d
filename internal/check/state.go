// Package check holds what both plugins share once a status document has
// been evaluated: the service state, the result of an evaluation, the
// sanitising of server text, Nagios ranges, and the one function that turns a
// result into plugin output.
package check

import (
	"strings"
)

// State is a Nagios service state; its value is the plugin's exit code.
type State int

// The four service states, valued as the exit codes Nagios expects.
const (
	OK       State = 0
	Warning  State = 1
	Critical State = 2
	Unknown  State = 3
)

// String returns the label Nagios prints for the state.
func (s State) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	default:
		return "UNKNOWN"
	}
}

// severity orders states for "worst wins": an UNKNOWN (we could not tell)
// must not hide a CRITICAL we could tell, but it must outrank OK.
func (s State) severity() int {
	switch s {
	case Critical:
		return 3
	case Warning:
		return 2
	case Unknown:
		return 1
	default:
		return 0
	}
}

// Worst returns the most severe of the states: CRITICAL > WARNING > UNKNOWN > OK.
func Worst(states ...State) State {
	worst := OK
	for _, s := range states {
		if s.severity() > worst.severity() {
			worst = s
		}
	}
	return worst
}

// ParseState reads a --*-state value: a state name (any case) or its exit
// code. Anything else is an error, never a silent UNKNOWN.
func ParseState(s string) (State, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ok", "0":
		return OK, nil
	case "warning", "1":
		return Warning, nil
	case "critical", "2":
		return Critical, nil
	case "unknown", "3":
		return Unknown, nil
	}
	return Unknown, Errorf("state must be one of ok, warning, critical, unknown (or 0-3), got %q", s)
}
