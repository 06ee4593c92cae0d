package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ulimit is a shell ulimit option ("-v" address space, "-d" data) and a
// value in KiB; the zero value sets nothing.
type ulimit struct {
	opt string
	kib int
}

// runProcess runs a plugin with the given stdin file under an optional
// limit set by sh's ulimit.
func runProcess(t *testing.T, stdin *os.File, limit ulimit, name string, args ...string) Run {
	t.Helper()
	sourcesTouch.Do(func() { touchSources(sourceRoot) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := filepath.Join(binDir, name)
	var cmd *exec.Cmd
	if limit.opt != "" {
		cmd = exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", fmt.Sprintf(`ulimit %s %d && exec "$0" "$@"`, limit.opt, limit.kib), path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=UTC"}
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	_ = cmd.Run()
	return Run{Stdout: stdout.String(), Stderr: stderr.String(), Took: time.Since(start), Code: cmd.ProcessState.ExitCode()}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInputsBoundedByTimeout: each file the plugins read, given as a FIFO
// nobody writes to, /dev/zero, or a stdin that trickles or never closes,
// is one UNKNOWN line well within -t (and the time metric), from the real
// binaries.
func TestInputsBoundedByTimeout(t *testing.T) {
	base := startSim(t)
	net := []string{"--url", base + "/status", "-u", "admin", "-t", "1"}
	type input struct {
		name  string
		args  []string
		stdin func(t *testing.T) *os.File
		want  string
	}
	never := func(t *testing.T) *os.File {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(); w.Close() })
		return r
	}
	trickle := func(t *testing.T) *os.File {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		t.Cleanup(func() { close(stop); r.Close(); w.Close() })
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
					if _, err := w.Write([]byte(" ")); err != nil {
						return
					}
				}
			}
		}()
		return r
	}
	cases := []input{
		{"password FIFO", append(net, "--password-file", mkfifo(t)), nil, "--password-file " + "FIFO: nothing to read within the 1s timeout"},
		{"CA FIFO", append(net, "-P", Password, "--ca-file", mkfifo(t)), nil, "FIFO: nothing to read within the 1s timeout"},
		{"status FIFO", []string{"-t", "1", "--status-file", mkfifo(t)}, nil, "FIFO: nothing to read within the 1s timeout"},
		{"password /dev/zero", append(net, "--password-file", "/dev/zero"), nil, "no line break in its first 4 KiB"},
		{"CA /dev/zero", append(net, "-P", Password, "--ca-file", "/dev/zero"), nil, "--ca-file /dev/zero is larger than 1 MiB"},
		{"status /dev/zero", []string{"-t", "1", "--status-file", "/dev/zero"}, nil, "--status-file /dev/zero is larger than 4 MiB"},
		{"stdin never closes", []string{"-t", "1", "--status-file", "-"}, never, "--status-file -: nothing to read within the 1s timeout"},
		{"stdin trickles", []string{"-t", "1", "--status-file", "-"}, trickle, "bytes arrived within the 1s timeout"},
	}
	fifoName := regexp.MustCompile(`/\S+/fifo`)
	for _, c := range cases {
		for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
			t.Run(c.name+"/"+p, func(t *testing.T) {
				var stdin *os.File
				if c.stdin != nil {
					stdin = c.stdin(t)
				}
				r := runProcess(t, stdin, ulimit{}, p, c.args...)
				checkInvariants(t, p, r)
				line := fifoName.ReplaceAllString(r.Line1(), "FIFO")
				if r.Code != 3 || strings.Count(r.Stdout, "\n") != 1 || !strings.Contains(line, c.want) || !strings.Contains(line, "'time'=") {
					t.Errorf("exit %d, want one UNKNOWN line with %q and the time metric:\n%s", r.Code, c.want, r.Stdout)
				}
				// -t 1: the answer comes at the deadline, not after a hang
				// (the bound is loose only for a loaded machine).
				if r.Took > 5*time.Second {
					t.Errorf("took %s with -t 1", r.Took)
				}
			})
		}
	}
}

// TestRegularInputsStillWork: the same flags with ordinary files.
func TestRegularInputsStillWork(t *testing.T) {
	base := startSim(t)
	pass := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(pass, []byte(Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := plugin(t, nil, "check_itgrix_app", "--url", base+"/status", "-u", "admin", "--password-file", pass); r.Code != 0 {
		t.Errorf("password file: exit %d\n%s", r.Code, r.Stdout)
	}
	if r := plugin(t, nil, "check_itgrix_app", "--status-file", filepath.Join(sourceRoot, "testdata/status/bx-healthy.json")); r.Code != 0 {
		t.Errorf("status file: exit %d\n%s", r.Code, r.Stdout)
	}
}

// floorKiB finds, by bisection, the smallest limit under which the Go
// runtime starts at all (--version answers).
func floorKiB(t *testing.T, opt string) int {
	lo, hi := 1<<10, 4<<20 // 1 MiB fails, 4 GiB works
	if r := runProcess(t, nil, ulimit{opt, hi}, "check_itgrix_app", "--version"); r.Code != 3 {
		t.Skipf("the runtime does not start even under ulimit %s %d: %q", opt, hi, r.Stderr)
	}
	for hi-lo > 1024 {
		mid := (lo + hi) / 2
		if r := runProcess(t, nil, ulimit{opt, mid}, "check_itgrix_app", "--version"); r.Code == 3 && strings.HasPrefix(r.Stdout, "check_itgrix_app ") {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// TestMemoryLimits: under ulimit -v (address space) and ulimit -d (data)
// the plugin either runs normally (at the limit its own message names,
// with the largest document it accepts) or says in one UNKNOWN line that
// the limit is too tight; no Go runtime text reaches stdout or stderr.
// Below the runtime's own floor the process cannot start: that is the
// documented exit 2 with no stdout and no frame of the plugin.
func TestMemoryLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("bisects ulimit")
	}
	// The largest document accepted, served over HTTP with Digest.
	doc := filepath.Join(t.TempDir(), "big.json")
	pad := strings.Repeat("x", 4<<20-8<<10)
	if err := os.WriteFile(doc, []byte(`{"app_status":"Error","app_state":"","app_err":"`+pad+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	base := startSim(t, "--status-file", doc)
	args := append([]string{"--url", base + "/status", "-t", "10"}, auth()...)
	for _, l := range []struct{ opt, name string }{{"-v", "address-space"}, {"-d", "data"}} {
		t.Run(l.name, func(t *testing.T) {
			floor := floorKiB(t, l.opt)
			t.Logf("the Go runtime starts under ulimit %s %d KiB (%d MiB)", l.opt, floor, floor>>10)

			// Just above the floor: refused in one clear line, naming
			// the limit to set. Now and then the runtime takes an arena
			// more at start and cannot start this close to its floor;
			// that documented exception has no frame of the plugin.
			var m []string
			for i := 0; i < 5 && m == nil; i++ {
				r := runProcess(t, nil, ulimit{l.opt, floor + 2048}, "check_itgrix_app", args...)
				if runtimeCannotStart(r) {
					t.Logf("run %d: the runtime could not start (documented)", i)
					continue
				}
				checkInvariants(t, "check_itgrix_app", r)
				m = regexp.MustCompile(`raise the limit to (\d+) MiB`).FindStringSubmatch(r.Line1())
				if r.Code != 3 || !strings.HasPrefix(r.Stdout, "UNKNOWN: the "+l.name+" limit (ulimit "+l.opt+")") || m == nil {
					t.Fatalf("near the floor: exit %d, want one UNKNOWN line about ulimit %s:\n%s%s", r.Code, l.opt, r.Stdout, r.Stderr)
				}
			}
			if m == nil {
				t.Fatalf("the runtime never started near its floor in 5 runs")
			}
			// At the limit the message asks for: a normal result, every time.
			needed, _ := strconv.Atoi(m[1])
			for i := 0; i < 3; i++ {
				for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
					r := runProcess(t, nil, ulimit{l.opt, needed << 10}, p, args...)
					checkInvariants(t, p, r)
					if strings.Contains(r.Stdout, "ulimit") || r.Code > 3 {
						t.Errorf("%s under the %d MiB it asked for: exit %d\n%s%s", p, needed, r.Code, r.Stdout, r.Stderr)
					}
				}
			}
			// Below the floor found, the runtime cannot start (exit 2, no
			// output, no plugin frame); the floor is noisy, so a run that
			// does start must still give the one UNKNOWN line.
			r := runProcess(t, nil, ulimit{l.opt, floor - 4096}, "check_itgrix_app", args...)
			if !runtimeCannotStart(r) {
				checkInvariants(t, "check_itgrix_app", r)
				if r.Code != 3 || !strings.HasPrefix(r.Stdout, "UNKNOWN: the "+l.name+" limit") {
					t.Errorf("below the floor: exit %d, stdout %q, stderr %.200q; want the runtime's documented exit 2 or the one UNKNOWN line", r.Code, r.Stdout, r.Stderr)
				}
			}
		})
	}
}

// runtimeCannotStart is the one documented way runtime text reaches
// stderr: the Go runtime fails to reserve its address space before any
// code of the plugin runs, so no frame of it is on the trace.
func runtimeCannotStart(r Run) bool {
	return r.Code == 2 && r.Stdout == "" && strings.Contains(r.Stderr, "fatal error:") &&
		!strings.Contains(r.Stderr, "main.main") && !strings.Contains(r.Stderr, "check-itgrix/")
}

// TestOpenFilesLimit: under any ulimit -n the plugin runs normally or says
// in one UNKNOWN line that too few descriptors are free; Go's poller never
// gets to die with "epollcreate failed" on stderr.
func TestOpenFilesLimit(t *testing.T) {
	base := startSim(t)
	pass := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(pass, []byte(Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--url", base + "/status", "-u", "admin", "--password-file", pass, "--ca-file", "/etc/ssl/certs/ca-certificates.crt"}
	refused, ran := 0, 0
	for n := 3; n <= 16; n++ {
		for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
			r := runProcess(t, nil, ulimit{"-n", n}, p, args...)
			checkInvariants(t, p, r)
			switch {
			case r.Code == 3 && strings.HasPrefix(r.Stdout, "UNKNOWN: the open-files limit (ulimit -n) of "+strconv.Itoa(n)+" leaves"):
				refused++
			case strings.Contains(r.Stdout, "Itgrix") || strings.Contains(r.Stdout, "licence"):
				ran++
			default:
				t.Errorf("%s under ulimit -n %d: exit %d\n%s", p, n, r.Code, r.Stdout)
			}
		}
	}
	if refused == 0 || ran == 0 {
		t.Errorf("ulimit -n 3..16: %d refused, %d ran; want both", refused, ran)
	}
}
