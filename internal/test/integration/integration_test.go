//go:build integration

package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// breakage is a way to break the plugins that every engine must notice on
// its own, wrapped around the real plugin (at $REAL).
type breakage struct {
	name   string
	script string
	// exempt: engines that cannot see this breakage (with why); nil for
	// none.
	exempt func(t Tally) bool
}

var breakages = []breakage{
	{
		// A space before the unit: 'time'=0.001 s is not the guidelines' format.
		name: "perfdata",
		script: `out=$("$REAL" "$@"); code=$?
printf '%s\n' "$out" | sed "s/'time'=\([0-9.]*\)s/'time'=\1 s/"
exit $code
`,
		// Zabbix reads the endpoint itself and runs no plugin; broken
		// copies of its template are its self-test (zabbixBreakages).
		exempt: func(t Tally) bool { return t.Engine == "zabbix" },
	},
	{
		name:   "exitcode",
		script: "\"$REAL\" \"$@\"\nexit 0\n",
		// Only engines that report plugin states can see an exit code.
		exempt: func(t Tally) bool { return !t.Results },
	},
}

// summary holds the tally lines, printed after go test's own PASS/FAIL so
// that the overall line is the run's last.
var summary []string

func TestMain(m *testing.M) {
	code := m.Run()
	for _, l := range summary {
		fmt.Println(l)
	}
	os.Exit(code)
}

// TestIntegration runs the plugins inside every engine, then again with
// each breakage, and prints one tally line per engine, the self-test's,
// and the overall line last.
func TestIntegration(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := os.Getenv("ITGRIX_BIN")
	if bin == "" {
		bin = filepath.Join(root, "bin")
	}
	var engines []string
	if e := os.Getenv("INTEGRATION_ENGINES"); e != "" {
		engines = strings.Split(e, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if dl, ok := t.Deadline(); ok {
		// Leave time to stop every daemon before go test gives up.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-time.Minute))
		defer cancel()
	}
	// Preconditions first: a missing source stops the run with its message.
	if err := Preflight(Registry, engines, root); err != nil {
		t.Fatal(err)
	}
	pkgs, err := Packages(Registry, engines)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := RunCmd(ctx, root, nil, append([]string{"bash", ".ci/apt-install"}, pkgs...)...); err != nil {
		t.Fatalf("installing %v: %v\n%s", pkgs, err, out)
	}

	broken, err := brokenPlugins(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(broken)

	type run struct {
		name    string
		out     bytes.Buffer
		tallies []Tally
		err     error
	}
	runs := []*run{{name: "integration"}}
	for _, b := range breakages {
		runs = append(runs, &run{name: "broken " + b.name})
	}
	t0 := time.Now()
	var wg sync.WaitGroup
	for i, r := range runs {
		cfg := Config{
			Root: root, Bin: bin, Engines: engines, Cases: Cases,
			Net: os.Getenv(NetEnv), Out: &r.out, Log: prefixWriter(os.Stderr, r.name+": "),
			Keep: os.Getenv("INTEGRATION_KEEP") != "",
		}
		if i > 0 {
			cfg.EngineBin = filepath.Join(broken, breakages[i-1].name)
		} else {
			// Only the real plugins' screenshots and graphs are worth keeping.
			cfg.Outputs = os.Getenv(OutputsEnv)
			if cfg.Outputs == "" {
				cfg.Outputs = filepath.Join(root, "integration-out")
			}
		}
		// Each run has its own work dir and address block: they run at once.
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.tallies, r.err = Run(ctx, cfg)
		}()
	}
	wg.Wait()

	main := runs[0]
	fmt.Print(main.out.String())
	if main.err != nil {
		t.Fatalf("integration: %v", main.err)
	}
	self := Tally{Engine: "selftest"}
	for i, b := range breakages {
		r := runs[i+1]
		if r.err != nil {
			self.add(false, "broken %s: the run could not be set up: %v", b.name, r.err)
			continue
		}
		got := map[string]Tally{}
		for _, bt := range r.tallies {
			got[bt.Engine] = bt
		}
		for _, mt := range main.tallies {
			bt := got[mt.Engine]
			switch {
			case mt.Failed > 0:
				self.add(false, "broken %s: cannot tell, %s fails with the real plugins", b.name, mt.Engine)
			case b.exempt != nil && b.exempt(mt):
			case bt.Failed == 0:
				self.add(false, "broken %s not caught by %s", b.name, mt.Engine)
			default:
				self.add(true, "broken %s caught by %s: %d cases, e.g. %s", b.name, mt.Engine, bt.Failed, truncate(firstFail(bt), 140))
			}
		}
	}
	for _, l := range self.Lines {
		fmt.Println(l)
	}
	fmt.Printf("took %.0fs\n", time.Since(t0).Seconds())
	total := Tally{Engine: "integration"}
	for _, tl := range append(main.tallies, self) {
		summary = append(summary, tl.String())
		total.Passed += tl.Passed
		total.Failed += tl.Failed
	}
	summary = append(summary, total.String())
	if total.Failed > 0 || total.Passed == 0 {
		t.Fail()
	}
}

func firstFail(t Tally) string {
	for _, l := range t.Lines {
		if strings.HasPrefix(l, "FAIL") {
			return strings.TrimSpace(strings.TrimPrefix(l, "FAIL"))
		}
	}
	return ""
}

// brokenPlugins writes, per breakage, wrappers around copies of the real
// plugins in a directory every engine user can read.
func brokenPlugins(bin string) (string, error) {
	dir, err := os.MkdirTemp("", "itgrix-selftest-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return dir, err
	}
	for _, p := range []Check{App, License} {
		real := filepath.Join(dir, "real", p.Plugin())
		if err := copyFile(filepath.Join(bin, p.Plugin()), real, 0o755); err != nil {
			return dir, err
		}
		for _, b := range breakages {
			script := fmt.Sprintf("#!/bin/bash\nREAL=%q\n%s", real, b.script)
			if err := writeFile(filepath.Join(dir, b.name, p.Plugin()), script, 0o755); err != nil {
				return dir, err
			}
		}
	}
	return dir, nil
}

// prefixWriter prefixes each line, so concurrent runs' progress stays
// readable.
func prefixWriter(w io.Writer, prefix string) io.Writer {
	return &prefixed{w: w, prefix: prefix}
}

type prefixed struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
}

func (p *prefixed) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if l != "" {
			fmt.Fprint(p.w, p.prefix+l)
		}
	}
	return len(b), nil
}
