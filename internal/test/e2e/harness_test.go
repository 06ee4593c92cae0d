// Package e2e builds the real binaries and runs them as processes against a
// real itgrix-sim over HTTP with Digest authentication, as Nagios would.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// binDir holds the binaries built once for the whole package.
var binDir string

// Password is distinctive so a leak anywhere in any output is found.
const Password = "Pw-e2e-7f3a9c1d-secret"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "check-itgrix-e2e-")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	binDir = dir
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	sourceRoot = root
	// The binaries are built with the Makefile's tags, as users get them.
	printTags := exec.Command("make", "-s", "--no-print-directory", "print-tags")
	printTags.Dir = root
	tags, err := printTags.Output()
	if err != nil {
		fmt.Printf("make print-tags: %v\n", err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-trimpath", "-tags", strings.TrimSpace(string(tags)), "-ldflags", "-X check-itgrix/internal/cli.Version=e2e", "-o", dir+"/", "./cmd/...")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Printf("building binaries: %v\n%s", err, out)
		os.Exit(1)
	}
	helper := exec.Command("go", "build", "-o", filepath.Join(dir, "peakrss"), "./internal/test/e2e/peakrss")
	helper.Dir = root
	if out, err := helper.CombinedOutput(); err != nil {
		fmt.Printf("building peakrss: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	sourceRoot   string
	sourcesTouch sync.Once
)

// touchSources opens every Go source the binaries are built from. The
// build runs in a subprocess, which go test's result cache cannot see;
// files the test process itself opens are part of the cache key, so a
// change to the plugins re-runs these tests instead of replaying a pass.
// It must run inside a test: go test logs opens only after m.Run starts.
func touchSources(root string) {
	for _, dir := range []string{"cmd", "internal"} {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
				_, _ = os.ReadFile(path)
			}
			return nil
		})
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		_, _ = os.ReadFile(filepath.Join(root, f))
	}
}

// Run is one finished plugin process.
type Run struct {
	Stdout, Stderr string
	Code           int
	Took           time.Duration
	// MaxRSS is the process's peak resident memory in MiB.
	MaxRSS float64
}

// Line1 is the first line of stdout without Nagios' trailing space.
func (r Run) Line1() string {
	l, _, _ := strings.Cut(r.Stdout, "\n")
	return strings.TrimRight(l, " ")
}

// Zone is the TZ every process the harness starts gets unless a test asks
// for another: plugins and itgrix-sim alike, so "today" is the same date in
// the simulator that writes a document and in the plugin that reads it,
// whatever the zone of the machine running the tests.
const Zone = "UTC"

// cleanEnv is the environment of every process the harness starts: nothing
// inherited from the machine, an explicit zone, then extra (later entries
// win, so extra may override TZ).
func cleanEnv(zone string, extra ...string) []string {
	return append([]string{"PATH=/usr/bin:/bin", "TZ=" + zone}, extra...)
}

// plugin runs a binary from binDir with a clean environment plus env; env
// may carry its own TZ (see pluginIn).
func plugin(t *testing.T, env []string, name string, args ...string) Run {
	t.Helper()
	sourcesTouch.Do(func() { touchSources(sourceRoot) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := name
	if !filepath.IsAbs(name) {
		path = filepath.Join(binDir, name)
	}
	// Through peakrss, so the peak memory measured is the plugin's own,
	// not this test process's (see internal/test/e2e/peakrss).
	report := filepath.Join(t.TempDir(), "peakrss")
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "peakrss"), append([]string{report, path}, args...)...)
	cmd.Env = cleanEnv(Zone, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := Run{Stdout: stdout.String(), Stderr: stderr.String(), Took: time.Since(start)}
	var kib int64
	if _, serr := fmt.Sscan(readReport(report), &kib, &r.Code); serr != nil || r.Code < 0 {
		t.Fatalf("%s did not exit: %v (%v)\n%s", name, err, serr, r.Stderr)
	}
	r.MaxRSS = float64(kib) / 1024
	checkInvariants(t, name, r)
	return r
}

// readReport is what peakrss wrote, or "" when it wrote nothing.
func readReport(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// checkInvariants holds for every run of a plugin: exit 0-3, non-empty
// stdout whose line 1 starts with the state, nothing on stderr, no
// password, no Go panic trace.
func checkInvariants(t *testing.T, name string, r Run) {
	t.Helper()
	if name == "itgrix-sim" {
		return
	}
	states := []string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}
	if r.Code < 0 || r.Code > 3 {
		t.Errorf("%s exit code %d, want 0-3", name, r.Code)
	} else if !strings.HasPrefix(r.Stdout, states[r.Code]+": ") && !strings.Contains(r.Stdout, "usage:") && !strings.HasPrefix(r.Stdout, name) {
		t.Errorf("%s exit %d but line 1 is %q", name, r.Code, r.Line1())
	}
	if r.Stderr != "" {
		t.Errorf("%s wrote to stderr: %q", name, r.Stderr)
	}
	if strings.Contains(r.Stdout, Password) {
		t.Errorf("%s printed the password:\n%s", name, r.Stdout)
	}
	if strings.Contains(r.Stdout, "goroutine ") || strings.Contains(r.Stdout, "panic:") {
		t.Errorf("%s printed a panic trace:\n%s", name, r.Stdout)
	}
}

// pluginIn runs a plugin with TZ set to zone.
func pluginIn(t *testing.T, zone string, env []string, name string, args ...string) Run {
	t.Helper()
	return plugin(t, append(append([]string{}, env...), "TZ="+zone), name, args...)
}

// startSim starts itgrix-sim on a free loopback port, in the harness's
// Zone, and returns its base URL (without /status); it is stopped when the
// test ends.
func startSim(t *testing.T, args ...string) string {
	t.Helper()
	return startSimIn(t, Zone, args...)
}

// startSimIn starts itgrix-sim with TZ set to zone; it accepts Password
// unless args give --password, and listens on a free port of 127.0.0.1
// unless they give --listen.
func startSimIn(t *testing.T, zone string, args ...string) string {
	t.Helper()
	sourcesTouch.Do(func() { touchSources(sourceRoot) })
	if !slices.Contains(args, "--password") {
		args = append([]string{"--password", Password}, args...)
	}
	if !slices.Contains(args, "--listen") {
		args = append([]string{"--listen", "127.0.0.1:0"}, args...)
	}
	cmd := exec.Command(filepath.Join(binDir, "itgrix-sim"), args...)
	cmd.Env = cleanEnv(zone)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case l := <-lines:
		url, ok := strings.CutPrefix(l, "listening on ")
		if !ok {
			t.Fatalf("itgrix-sim said %q", l)
		}
		return strings.TrimSuffix(url, "/status")
	case <-time.After(10 * time.Second):
		t.Fatal("itgrix-sim did not start within 10s")
	}
	return ""
}

var (
	reTime  = regexp.MustCompile(`'time'=[0-9.]+s`)
	reDate  = regexp.MustCompile(`\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)? [+-]\d{2}:\d{2})?`)
	rePort  = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	reTaken = regexp.MustCompile(`in [0-9.]+(µs|us|ms|s)`)
	reAge   = regexp.MustCompile(`'users_cache_age'=[0-9]+s`)
)

// normalise replaces what changes between runs (response time, dates
// relative to today, the port) so the rest can be compared byte for byte.
func normalise(s string) string {
	s = reTime.ReplaceAllString(s, "'time'=Ts")
	s = reAge.ReplaceAllString(s, "'users_cache_age'=AGEs")
	s = reDate.ReplaceAllString(s, "DATE")
	s = rePort.ReplaceAllString(s, "127.0.0.1:PORT")
	return reTaken.ReplaceAllString(s, "in T")
}

// withoutUsage is a plugin's output without the short usage a usage error
// ends with: the line that says what is wrong.
func withoutUsage(out string) string {
	head, _, found := strings.Cut(out, " \n \nUsage: ")
	if !found {
		return out
	}
	return head + "\n"
}
