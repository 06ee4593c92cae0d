package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Config is one run: which engines, which plugins, where.
type Config struct {
	Root string // the checkout: contrib/ is copied from here
	Bin  string // the real, built plugins
	// EngineBin: the plugins the engines run; empty means the real ones.
	// The self-test points it at broken ones.
	EngineBin string
	// Engines selects engines by name (their Needs and Reads come along);
	// empty means every registered engine.
	Engines []string
	Cases   []Case
	Net     string    // loopback range to pick the PBX block from (NetEnv)
	Out     io.Writer // one line per case, then the tallies
	Log     io.Writer // progress and diagnostics
	Keep    bool      // keep the work dir
	// Outputs: where engines keep what outlives the run (screenshots,
	// rendered graphs); empty keeps nothing.
	Outputs string
}

// Bounds per component, so one hung daemon cannot use up the run's budget
// (Spec.StartTimeout and Spec.CheckTimeout override them).
var (
	StartTimeout = 5 * time.Minute
	CheckTimeout = 2 * time.Minute
)

// Tally is one engine's count.
type Tally struct {
	Engine         string
	Passed, Failed int
	// Results: the engine reported plugin results (so it sees exit codes),
	// not only verdicts.
	Results bool
	// Lines are the engine's case lines, "ok ..." or "FAIL ...".
	Lines []string
}

// String is the tally line: "naemon: 12 passed, 0 failed".
func (t Tally) String() string {
	return fmt.Sprintf("%s: %d passed, %d failed", t.Engine, t.Passed, t.Failed)
}

func (t *Tally) add(ok bool, format string, a ...any) {
	word := "ok  "
	if ok {
		t.Passed++
	} else {
		word = "FAIL"
		t.Failed++
	}
	t.Lines = append(t.Lines, fmt.Sprintf("%s %-12s %s", word, t.Engine, fmt.Sprintf(format, a...)))
}

// Run starts the selected components, checks every engine, compares, and
// stops everything it started (also when ctx ends). It returns one tally
// per engine in check order; the error is for a run that could not be set
// up at all.
func Run(ctx context.Context, cfg Config) ([]Tally, error) {
	startOrder, checkOrder, err := plan(Registry, cfg.Engines)
	if err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if err := preflight(startOrder, cfg.Root); err != nil {
		return nil, err
	}
	env, cleanup, err := prepare(cfg, len(Scenarios(cfg.Cases)))
	if err != nil {
		return nil, err
	}
	defer cleanup()

	var running []Component
	defer func() {
		for i := len(running) - 1; i >= 0; i-- {
			running[i].Stop()
		}
	}()
	broken := map[string]error{} // components that did not start, and why
	for _, s := range startOrder {
		if e := brokenNeed(s, broken); e != nil {
			broken[s.Name] = e
			continue
		}
		c := s.New()
		env.Logf("starting %s", s.Name)
		t0 := time.Now()
		running = append(running, c)
		bound := StartTimeout
		if s.StartTimeout > 0 {
			bound = s.StartTimeout
		}
		sctx, cancel := context.WithTimeout(ctx, bound)
		err := c.Start(sctx, env)
		cancel()
		if err != nil {
			broken[s.Name] = fmt.Errorf("%s did not start: %w", s.Name, err)
			continue
		}
		env.started[s.Name] = c
		env.order = append(env.order, s.Name)
		env.Logf("started %s in %.1fs", s.Name, time.Since(t0).Seconds())
	}

	dirsOf := unscannedDirs(startOrder)
	reports := map[string]Report{}
	var out []Tally
	for _, s := range checkOrder {
		t := &Tally{Engine: s.Name}
		// broken also holds what did not start for want of a need.
		if e := broken[s.Name]; e != nil {
			t.add(false, "%s", e)
		} else if e := brokenRead(s, reports); e != nil {
			t.add(false, "%s", e)
		} else {
			eng := env.started[s.Name].(Engine)
			in := Inputs{}
			for _, r := range s.Reads {
				in[r] = reports[r]
			}
			env.Logf("checking %s", s.Name)
			t0 := time.Now()
			bound := CheckTimeout
			if s.CheckTimeout > 0 {
				bound = s.CheckTimeout
			}
			cctx, cancel := context.WithTimeout(ctx, bound)
			rep, err := eng.Check(cctx, env, in)
			cancel()
			env.Logf("checked %s in %.1fs", s.Name, time.Since(t0).Seconds())
			if err != nil {
				t.add(false, "%v", err)
			} else {
				reports[s.Name] = rep
				judge(ctx, env, t, rep)
				for _, d := range dirsOf(s.Name) {
					if p := mentionsCheckout(filepath.Join(env.Work, d), env.Root); p != "" {
						t.add(false, "(config)     %s names the checkout %s: engines must read copies", p, env.Root)
					}
				}
			}
		}
		for _, l := range t.Lines {
			fmt.Fprintln(cfg.Out, l)
		}
		out = append(out, *t)
	}
	return out, nil
}

// unscannedDirs returns, for an engine, the component dirs its checks
// depend on that no engine before it was given: its own and those of what
// it needs, transitively (the NRPE engine's config is nrpe-pbx's, the
// agent's is icinga-cluster's). Each is scanned for the checkout once.
func unscannedDirs(specs []Spec) func(name string) []string {
	byName := map[string]Spec{}
	for _, s := range specs {
		byName[s.Name] = s
	}
	scanned := map[string]bool{}
	var dirsOf func(name string) []string
	dirsOf = func(name string) []string {
		if scanned[name] {
			return nil
		}
		scanned[name] = true
		dirs := []string{name}
		for _, n := range byName[name].Needs {
			dirs = append(dirs, dirsOf(n)...)
		}
		return dirs
	}
	return dirsOf
}

// judge compares every result with the plugin run directly and the case
// table, and records the verdicts.
func judge(ctx context.Context, env *Env, t *Tally, rep Report) {
	seen := map[Case]bool{}
	// In the table's order, whatever order the engine read them in.
	slices.SortStableFunc(rep.Results, func(a, b Result) int {
		return caseIndex(env.Cases, a.Case) - caseIndex(env.Cases, b.Case)
	})
	for _, r := range rep.Results {
		t.Results = true
		name := fmt.Sprintf("%-7s %-10s", r.Case.Check, r.Case.Scenario)
		if _, ok := FindCase(env.Cases, r.Case.Scenario, r.Case.Check); !ok {
			t.add(false, "%s a result for no case in the table", name)
			continue
		}
		if seen[r.Case] {
			t.add(false, "%s reported twice", name)
			continue
		}
		seen[r.Case] = true
		d, err := DirectRun(ctx, env, r)
		if err != nil {
			t.add(false, "%s running the plugin directly: %v", name, err)
			continue
		}
		if problems := Compare(r, d); len(problems) > 0 {
			t.add(false, "%s %s", name, strings.Join(problems, "; "))
		} else {
			t.add(true, "%s %s", name, truncate(d.Output, 100))
		}
	}
	if t.Results {
		for _, c := range env.Cases {
			if !seen[c] {
				t.add(false, "%-7s %-10s no result recorded", c.Check, c.Scenario)
			}
		}
	}
	for _, v := range rep.Verdicts {
		if v.Err != nil {
			t.add(false, "(%s) %v", v.Name, v.Err)
		} else {
			t.add(true, "(%s)", v.Name)
		}
	}
	if !t.Results && len(rep.Verdicts) == 0 {
		t.add(false, "reported nothing")
	}
}

// DirectRun runs the plugin an engine ran, from the real plugins, with the
// same arguments and environment: what the engine's record must match.
func DirectRun(ctx context.Context, env *Env, r Result) (Direct, error) {
	if len(r.Argv) == 0 {
		return Direct{}, fmt.Errorf("the engine did not say how it ran the plugin")
	}
	argv := slices.Clone(r.Argv)
	argv[0] = filepath.Join(env.Plugins, filepath.Base(argv[0]))
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	code, out, err := RunPlugin(ctx, append(DaemonEnv(), r.Environ...), argv)
	if err != nil {
		return Direct{}, err
	}
	return ParseOutput(code, out), nil
}

func caseIndex(cases []Case, c Case) int {
	for i, x := range cases {
		if x.Scenario == c.Scenario && x.Check == c.Check {
			return i
		}
	}
	return len(cases)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func brokenNeed(s Spec, broken map[string]error) error {
	for _, n := range s.Needs {
		if e := broken[n]; e != nil {
			return e
		}
	}
	return nil
}

func brokenRead(s Spec, reports map[string]Report) error {
	for _, r := range s.Reads {
		if _, ok := reports[r]; !ok {
			return fmt.Errorf("%s reported nothing to read", r)
		}
	}
	return nil
}

// plan selects the named engines with what they need and read, and orders
// them for starting (Needs, After) and for checking (Needs, Reads).
func plan(specs []Spec, engines []string) (start, check []Spec, err error) {
	byName := map[string]Spec{}
	for _, s := range specs {
		byName[s.Name] = s
	}
	selected := map[string]bool{}
	var add func(string) error
	add = func(n string) error {
		s, ok := byName[n]
		if !ok {
			return fmt.Errorf("no component %q (have %s)", n, strings.Join(names(specs), ", "))
		}
		if selected[n] {
			return nil
		}
		selected[n] = true
		for _, d := range append(slices.Clone(s.Needs), s.Reads...) {
			if err := add(d); err != nil {
				return err
			}
		}
		return nil
	}
	if len(engines) == 0 {
		for _, s := range specs {
			if _, ok := s.New().(Engine); ok {
				engines = append(engines, s.Name)
			}
		}
	}
	for _, n := range engines {
		if err := add(n); err != nil {
			return nil, nil, err
		}
	}
	start, err = order(specs, selected, func(s Spec) []string { return append(slices.Clone(s.Needs), s.After...) })
	if err != nil {
		return nil, nil, err
	}
	all, err := order(specs, selected, func(s Spec) []string { return append(slices.Clone(s.Needs), s.Reads...) })
	for _, s := range all {
		if _, ok := s.New().(Engine); ok {
			check = append(check, s)
		}
	}
	return start, check, err
}

// order sorts the selected specs so each comes after its deps, keeping
// registry order otherwise.
func order(specs []Spec, selected map[string]bool, deps func(Spec) []string) ([]Spec, error) {
	var out []Spec
	done := map[string]bool{}
	for len(out) < len(selected) {
		progress := false
		for _, s := range specs {
			if !selected[s.Name] || done[s.Name] {
				continue
			}
			ready := true
			for _, d := range deps(s) {
				if selected[d] && !done[d] {
					ready = false
				}
			}
			if ready {
				out = append(out, s)
				done[s.Name] = true
				progress = true
				break
			}
		}
		if !progress {
			return nil, fmt.Errorf("dependency cycle among %v", selected)
		}
	}
	return out, nil
}

func names(specs []Spec) []string {
	var out []string
	for _, s := range specs {
		out = append(out, s.Name)
	}
	return out
}

// Preflight checks the preconditions of the selected components.
func Preflight(specs []Spec, engines []string, root string) error {
	start, _, err := plan(specs, engines)
	if err != nil {
		return err
	}
	return preflight(start, root)
}

func preflight(selected []Spec, root string) error {
	for _, s := range selected {
		if p, ok := s.New().(Preflighter); ok {
			if err := p.Preflight(root); err != nil {
				return fmt.Errorf("%s: %w", s.Name, err)
			}
		}
	}
	return nil
}

// Packages lists the Debian packages the selected components need.
func Packages(specs []Spec, engines []string) ([]string, error) {
	start, _, err := plan(specs, engines)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range start {
		for _, p := range s.Packages {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// prepare makes the run's private work dir with copies of contrib/ and the
// plugins, the PBXs' login, and the address block.
func prepare(cfg Config, pbxs int) (*Env, func(), error) {
	work, err := os.MkdirTemp("", "itgrix-integration-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() {
		if cfg.Keep {
			fmt.Fprintf(cfg.Log, "work dir kept: %s\n", work)
			return
		}
		os.RemoveAll(work)
	}
	fail := func(err error) (*Env, func(), error) { cleanup(); return nil, nil, err }
	// Daemons that drop to the engine user must traverse it.
	if err := os.Chmod(work, 0o755); err != nil {
		return fail(err)
	}
	env := &Env{
		Root: cfg.Root, Work: work, Log: cfg.Log, Cases: cfg.Cases, Outputs: cfg.Outputs,
		Contrib: filepath.Join(work, "contrib"), Plugins: filepath.Join(work, "plugins"),
		EngineBin: filepath.Join(work, "engine-plugins"),
		started:   map[string]Component{},
	}
	env.EngineUser, env.EngineGroup, err = engineUser()
	if err != nil {
		return fail(err)
	}
	if err := copyTree(filepath.Join(cfg.Root, "contrib"), env.Contrib); err != nil {
		return fail(fmt.Errorf("copying contrib: %w", err))
	}
	engineBin := cfg.EngineBin
	if engineBin == "" {
		engineBin = cfg.Bin
	}
	for _, p := range []Check{App, License} {
		if err := copyFile(filepath.Join(cfg.Bin, p.Plugin()), filepath.Join(env.Plugins, p.Plugin()), 0o755); err != nil {
			return fail(fmt.Errorf("the built plugins (make build): %w", err))
		}
		if err := copyFile(filepath.Join(engineBin, p.Plugin()), filepath.Join(env.EngineBin, p.Plugin()), 0o755); err != nil {
			return fail(err)
		}
	}
	env.Login = Login{User: "admin", Realm: "Itgrix", Password: "integration-" + randomHex(8),
		PasswordFile: filepath.Join(work, "secrets", "password")}
	if err := writeFile(env.Login.PasswordFile, env.Login.Password+"\n", 0o600); err != nil {
		return fail(err)
	}
	if err := chownTree(filepath.Dir(env.Login.PasswordFile), env.EngineUser, env.EngineGroup); err != nil {
		return fail(err)
	}
	os.Chmod(filepath.Dir(env.Login.PasswordFile), 0o700)
	env.Net, err = PickNet(cfg.Net, pbxs, PBXPorts)
	if err != nil {
		return fail(err)
	}
	for i, s := range Scenarios(cfg.Cases) {
		env.PBXs = append(env.PBXs, PBX{Scenario: s, Addr: env.Net.Host(i)})
	}
	env.Logf("work dir %s, PBXs on %s", work, env.Net.Prefix)
	return env, cleanup, nil
}

// engineUser is who the daemons run as: the run's own user, or nagios when
// the run is root's (Nagios, NRPE and Icinga refuse or drop root).
func engineUser() (string, string, error) {
	if os.Geteuid() == 0 {
		return "nagios", "nagios", nil
	}
	out, err := exec.Command("id", "-un").Output()
	if err != nil {
		return "", "", err
	}
	grp, err := exec.Command("id", "-gn").Output()
	if err != nil {
		return "", "", err
	}
	return strings.TrimSpace(string(out)), strings.TrimSpace(string(grp)), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// mentionsCheckout returns the first file under dir that names root: an
// engine configured with a path into the checkout fails once the checkout
// sits under a directory the engine user cannot enter.
func mentionsCheckout(dir, root string) string {
	var found string
	needle := []byte(root + "/")
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || found != "" || d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > 1<<20 {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, needle) {
			found = path
		}
		return nil
	})
	return found
}
