package integration

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Component is one real program the run drives. Start configures it from
// files in its own directory under Env.Work and starts it, bounded by ctx;
// Stop stops every process Start started, by PID, and must be safe to call
// after a failed or partial Start.
type Component interface {
	Start(ctx context.Context, env *Env) error
	Stop()
}

// Engine is a component that runs the plugins: Check forces (or awaits)
// every check and reads the results back. in holds the reports of the
// engines the spec Reads, so data only flows forward.
type Engine interface {
	Component
	Check(ctx context.Context, env *Env, in Inputs) (Report, error)
}

// Preflighter is a component with a precondition the user must fix (a
// source tarball to provide): the run stops before starting anything when
// a selected component's Preflight fails.
type Preflighter interface {
	Preflight(root string) error
}

// IcingaFeature is a component that Icinga 2 must be configured for (a
// metrics writer, a database connection): Icinga includes IcingaConfig in
// its configuration and, once its API is up, waits for IcingaReady before
// forcing checks. A spec implementing it belongs in icinga2's After list.
type IcingaFeature interface {
	IcingaConfig(env *Env) string
	IcingaReady(ctx context.Context, api *IcingaAPI) error
}

// Spec registers a component under its name (the name of its tally line
// if it is an Engine).
type Spec struct {
	Name string
	New  func() Component
	// Needs: started, and checked, before this one; selecting this one
	// selects them.
	Needs []string
	// After: started before this one when they are selected too, without
	// selecting them (Icinga after the metric sinks it writes to).
	After []string
	// Reads: engines checked before this one whose reports its Check gets;
	// selecting this one selects them.
	Reads []string
	// Packages: the Debian packages it needs, installed before the run.
	Packages []string
	// StartTimeout overrides the default bound on Start (a first-time
	// build needs longer than a daemon should take to come up).
	StartTimeout time.Duration
	// CheckTimeout overrides the default bound on Check (an engine that
	// reads many pages in a browser).
	CheckTimeout time.Duration
}

// Inputs are the reports of the engines a spec Reads, by name.
type Inputs map[string]Report

// Report is what an engine read back.
type Report struct {
	// Results: one per case the engine ran; each is compared with the
	// plugin run directly and with the case's expected state.
	Results []Result
	// Verdicts: engine-wide properties already judged (a clean log,
	// metrics that arrived as numbers).
	Verdicts []Verdict
}

// Result is one check as an engine recorded it.
type Result struct {
	Case     Case
	Service  string // the engine's name for the check, where it names it
	State    int
	Output   string // line 1, without performance data
	Long     string // the long output, lines joined by \n
	Perfdata string
	// Argv and Environ: the plugin invocation the engine made, as its
	// configuration (a copy of contrib/) says. The comparison runs the same
	// with the real plugins.
	Argv    []string
	Environ []string
}

// Verdict is a judged engine-wide property: Err nil means it held.
type Verdict struct {
	Name string
	Err  error
}

// Env is what a run gives every component: where things are and who the
// PBXs are. Components read it; only the runner writes it.
type Env struct {
	Root      string // the checkout (engines never read it: they get copies)
	Work      string // the run's private work dir, traversable by EngineUser
	Contrib   string // copy of contrib/
	Outputs   string // kept after the run (KeepOutput); empty: keep nothing
	Plugins   string // the real plugins, copied: the direct comparison runs these
	EngineBin string // the plugins the engines run (broken ones in the self-test)
	// EngineUser/EngineGroup: daemons started as root drop to these.
	EngineUser, EngineGroup string
	Login                   Login
	Cases                   []Case // the checks every engine runs
	PBXs                    []PBX
	Net                     *Net
	Log                     io.Writer // progress and daemon diagnostics
	started                 map[string]Component
	order                   []string // started, in start order
}

// Login is the PBXs' admin-panel account.
type Login struct {
	User, Realm, Password string
	PasswordFile          string // readable by EngineUser only
}

// PBX is one scenario served as its own host.
type PBX struct {
	Scenario string
	Addr     string // IPv4 address in the run's block; Itgrix on :8077
}

// PBX returns the PBX serving a scenario.
func (e *Env) PBX(scenario string) (PBX, bool) {
	for _, p := range e.PBXs {
		if p.Scenario == scenario {
			return p, true
		}
	}
	return PBX{}, false
}

// Lookup returns a started component by name, typed; ok is false when it
// is not part of this run.
func Lookup[T Component](e *Env, name string) (T, bool) {
	c, ok := e.started[name].(T)
	return c, ok
}

// Dir creates a component's private directory under Work.
func (e *Env) Dir(name string) (string, error) {
	d := e.Work + "/" + name
	if err := mkdirAll(d); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// Logf writes a progress line.
func (e *Env) Logf(format string, a ...any) {
	fmt.Fprintf(e.Log, format+"\n", a...)
}
