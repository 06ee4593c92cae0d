package e2e

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"check-itgrix/internal/test/golden"
)

func auth() []string { return []string{"-u", "admin", "-P", Password} }

// TestScenarios pins what Nagios sees from both plugins for every
// simulator scenario, byte for byte apart from dates and timings.
func TestScenarios(t *testing.T) {
	base := startSim(t)
	cases := []struct {
		name, plugin, scenario string
		args                   []string
		code                   int
	}{
		{"app-healthy", "check_itgrix_app", "healthy", nil, 0},
		{"app-warning", "check_itgrix_app", "warning", nil, 1},
		{"app-restarting", "check_itgrix_app", "restarting", nil, 1},
		{"app-stopped", "check_itgrix_app", "stopped", nil, 2},
		{"app-queue-over-warning", "check_itgrix_app", "queue", []string{"--queue-warning", "10", "--queue-critical", "50"}, 1},
		{"app-queue-inside-range", "check_itgrix_app", "queue", []string{"--queue-warning", "@20:30"}, 1},
		{"app-reconfiguring", "check_itgrix_app", "reconfiguring", nil, 1},
		{"app-reconfiguring-as-ok", "check_itgrix_app", "reconfiguring", []string{"--restarting-state", "ok"}, 0},
		// The override changes what app_state contributes; app_status
		// still counts and the worst wins.
		{"app-restarting-as-ok-status-warning", "check_itgrix_app", "restarting", []string{"--restarting-state", "ok"}, 1},
		{"app-stopped-as-warning-status-error", "check_itgrix_app", "stopped", []string{"--stopped-state", "warning"}, 2},
		{"license-healthy", "check_itgrix_license", "healthy", nil, 0},
		{"license-expiring", "check_itgrix_license", "expiring", []string{"-w", "30", "-c", "7"}, 1},
		{"license-lastday", "check_itgrix_license", "lastday", nil, 2},
		{"license-lastday-c0", "check_itgrix_license", "lastday", []string{"-c", "0"}, 1},
		{"license-expired", "check_itgrix_license", "expired", nil, 2},
		{"license-free-expected-professional", "check_itgrix_license", "free", []string{"--expected-type", "Professional"}, 2},
		{"license-free", "check_itgrix_license", "free", nil, 0},
		{"license-upgraded", "check_itgrix_license", "healthy", []string{"--expected-type", "subscription", "--type-state", "warning"}, 1},
		{"app-stopped-classic", "check_itgrix_app", "stopped", []string{"--output-format", "classic"}, 2},
		{"license-expiring-classic", "check_itgrix_license", "expiring", []string{"--output-format", "CLASSIC"}, 1},
		{"app-stopped-output-format-unknown", "check_itgrix_app", "stopped", []string{"--output-format", "one-line"}, 3},
	}
	for _, c := range cases {
		name := c.name
		t.Run(name, func(t *testing.T) {
			args := append([]string{"--url", base + "/" + c.scenario + "/status"}, auth()...)
			r := plugin(t, nil, c.plugin, append(args, c.args...)...)
			if r.Code != c.code {
				t.Errorf("exit %d, want %d\n%s", r.Code, c.code, r.Stdout)
			}
			golden.Assert(t, "e2e/"+name+".txt", normalise(r.Stdout))
		})
	}
}

// TestHostPortFlags reaches the simulator through -H and -p, as an NRPE
// command line does; the credentials come from the environment here.
func TestHostPortFlags(t *testing.T) {
	base := startSim(t, "--scenario", "stopped")
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	r := plugin(t, []string{"ITGRIX_USERNAME=admin", "ITGRIX_PASSWORD=" + Password}, "check_itgrix_app", "-H", host, "-p", port)
	if r.Code != 2 || !strings.Contains(r.Line1(), "CRM authorization failed: refresh token rejected") {
		t.Errorf("got exit %d: %s", r.Code, r.Stdout)
	}
}

func TestPasswordFile(t *testing.T) {
	base := startSim(t)
	file := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(file, []byte(Password+"\nsecond line ignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := plugin(t, nil, "check_itgrix_license", "--url", base+"/status", "-u", "admin", "--password-file", file)
	if r.Code != 0 {
		t.Errorf("exit %d: %s", r.Code, r.Stdout)
	}
}

func TestWrongPassword(t *testing.T) {
	base := startSim(t)
	for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
		r := plugin(t, nil, p, "--url", base+"/status", "-u", "admin", "-P", "wrong-"+Password[:4])
		if r.Code != 3 || !strings.HasPrefix(r.Line1(), "UNKNOWN: authentication failed, check login and password") {
			t.Errorf("%s: exit %d: %s", p, r.Code, r.Stdout)
		}
	}
}

func TestNotFound(t *testing.T) {
	base := startSim(t)
	r := plugin(t, nil, "check_itgrix_app", append([]string{"--url", base + "/no/such/path"}, auth()...)...)
	if r.Code != 3 || !strings.Contains(r.Line1(), "needs Itgrix bx >= 3.6.0 or Itgrix Kommo >= 2.13.0") {
		t.Errorf("exit %d: %s", r.Code, r.Stdout)
	}
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}

func TestRefusedFollowsUnreachableState(t *testing.T) {
	port := freePort(t)
	cases := []struct {
		plugin string
		args   []string
		code   int
	}{
		{"check_itgrix_app", nil, 2},
		{"check_itgrix_app", []string{"--unreachable-state", "unknown"}, 3},
		{"check_itgrix_license", nil, 3},
		{"check_itgrix_license", []string{"--unreachable-state", "critical"}, 2},
	}
	for _, c := range cases {
		args := append(append([]string{"-H", "127.0.0.1", "-p", port}, auth()...), c.args...)
		r := plugin(t, nil, c.plugin, args...)
		if r.Code != c.code || !strings.Contains(r.Line1(), "connection refused by 127.0.0.1:"+port) {
			t.Errorf("%s %v: exit %d: %s", c.plugin, c.args, r.Code, r.Stdout)
		}
	}
}

// TestTimeoutBudget: against a server that accepts and never answers, -t 2
// returns with the unreachable state, within 4 s (2 s of slack for a
// loaded machine; without -t the check would wait until the harness's 30 s).
func TestTimeoutBudget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	r := plugin(t, nil, "check_itgrix_app", append([]string{"--url", "http://" + ln.Addr().String() + "/status", "-t", "2"}, auth()...)...)
	if r.Took > 4*time.Second {
		t.Errorf("took %s with -t 2", r.Took)
	}
	if r.Code != 2 || !strings.Contains(r.Line1(), "no answer from") || !strings.Contains(r.Line1(), "2s timeout") {
		t.Errorf("exit %d: %s", r.Code, r.Stdout)
	}
}

func TestStatusFileFromStdin(t *testing.T) {
	cmdline := fmt.Sprintf(`echo '{"app_status":"Ok","app_state":"","app_err":"a|b"}' | %s --status-file -`, filepath.Join(binDir, "check_itgrix_app"))
	r := plugin(t, nil, "/bin/sh", "-c", cmdline)
	line1 := r.Line1()
	if r.Code != 0 || !strings.HasPrefix(line1, "OK: ") {
		t.Fatalf("exit %d: %s", r.Code, r.Stdout)
	}
	// One '|' only: the one that starts the performance data.
	if strings.Count(r.Stdout, "|") != 1 || !strings.Contains(r.Stdout, "a/b") {
		t.Errorf("server text leaked a '|':\n%s", r.Stdout)
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
		for _, arg := range []string{"-h", "--help", "-V", "--version"} {
			r := plugin(t, nil, p, arg)
			if r.Code != 3 || r.Stdout == "" {
				t.Errorf("%s %s: exit %d, stdout %q", p, arg, r.Code, r.Stdout)
			}
		}
		if r := plugin(t, nil, p, "-V"); r.Line1() != p+" e2e" {
			t.Errorf("%s -V: %q, want the version stamped at build time", p, r.Line1())
		}
		if r := plugin(t, nil, p, "--help"); !strings.Contains(r.Stdout, "Examples:") || !strings.Contains(r.Stdout, "--unreachable-state") {
			t.Errorf("%s --help lacks examples or shared flags:\n%s", p, r.Stdout)
		}
	}
}

func TestUsageErrorsAreOneLine(t *testing.T) {
	cases := []struct {
		plugin string
		args   []string
		want   string
	}{
		{"check_itgrix_app", []string{"--bogus"}, "unknown long flag '--bogus'"},
		{"check_itgrix_app", []string{"--queue-warning", "@10:20", "--queue-critical", "abc"}, `"abc" is not a number`},
		{"check_itgrix_app", []string{"--queue-warning", "20:10"}, "start is greater than end"},
		{"check_itgrix_app", []string{"--stopped-state", "down"}, "state must be one of"},
		{"check_itgrix_app", []string{"-t", "soon"}, "timeout"},
		{"check_itgrix_app", []string{"--password-file", "/nonexistent/pass", "-u", "admin"}, "cannot read --password-file"},
		{"check_itgrix_app", []string{"--status-file", "/nonexistent/status.json"}, "cannot read --status-file"},
		{"check_itgrix_app", []string{"--url", "ftp://x/status", "-u", "a"}, "--url must be http(s)"},
		{"check_itgrix_license", []string{"-w", "5", "-c", "6"}, "must not exceed"},
		{"check_itgrix_license", []string{"-w", "ten"}, "whole number"},
		{"check_itgrix_license", []string{"--timezone", "Mars/Olympus"}, "unknown --timezone"},
		{"check_itgrix_license", []string{"-P", Password}, "no login"},
	}
	for _, c := range cases {
		r := plugin(t, nil, c.plugin, c.args...)
		// A usage error is followed by the short usage, nothing else.
		if r.Code != 3 || strings.Count(withoutUsage(r.Stdout), "\n") != 1 || !strings.HasPrefix(r.Stdout, "UNKNOWN: ") || !strings.Contains(r.Stdout, c.want) {
			t.Errorf("%s %v: exit %d, want one UNKNOWN line containing %q, got:\n%s", c.plugin, c.args, r.Code, c.want, r.Stdout)
		}
	}
}

// TestDefaultOutputFitsNRPE: a huge app_err still stays under the
// 1000-byte limit by default, and -v shows it whole.
func TestDefaultOutputFitsNRPE(t *testing.T) {
	file := filepath.Join(t.TempDir(), "status.json")
	long := strings.Repeat("very long error text ", 500)
	doc := fmt.Sprintf(`{"app_status":"Error","app_state":"stopped","app_err":%q,"app":{"calls_queue":{"calls":3}}}`, long)
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	r := plugin(t, nil, "check_itgrix_app", "--status-file", file)
	if r.Code != 2 || len(r.Stdout) >= 1024 || !strings.Contains(r.Stdout, "'calls_queue'=3") {
		t.Errorf("exit %d, %d bytes:\n%s", r.Code, len(r.Stdout), r.Stdout)
	}
	v := plugin(t, nil, "check_itgrix_app", "--status-file", file, "-v")
	if !strings.Contains(v.Stdout, strings.TrimSpace(long)) {
		t.Errorf("-v does not show app_err whole (%d bytes)", len(v.Stdout))
	}
}
