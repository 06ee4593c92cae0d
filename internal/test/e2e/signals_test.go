package e2e

import (
	"net"
	"strings"
	"testing"

	"check-itgrix/internal/test/golden"
)

// simNow is the simulator's and the plugins' clock in the tests below, so
// ages and days left are exact and the golden files hold real numbers.
const simNow = "2026-11-24T12:00:00Z"

// normaliseRun replaces only what a fixed --now cannot pin: the response
// time and the port.
func normaliseRun(s string) string {
	s = reTime.ReplaceAllString(s, "'time'=Ts")
	return rePort.ReplaceAllString(s, "127.0.0.1:PORT")
}

// TestNewAlerts pins each new app flag against the simulator's scenario
// for it, at the flag's edges, and each scenario's default-flag state.
func TestNewAlerts(t *testing.T) {
	base := startSim(t, "--now", simNow)
	cases := []struct {
		name, scenario string
		args           []string
		code           int
	}{
		{"stale-cache-default", "stale-cache", nil, 0},
		{"stale-cache-critical", "stale-cache", []string{"--cache-age-warning", "2h", "--cache-age-critical", "1d"}, 2},
		{"stale-cache-warning", "stale-cache", []string{"--cache-age-warning", "90m", "--cache-age-critical", "4d"}, 1},
		{"cache-age-at-threshold", "healthy", []string{"--cache-age-warning", "300"}, 0},
		{"cache-age-over-threshold", "healthy", []string{"--cache-age-warning", "299"}, 1},
		{"storage-default", "storage", nil, 0},
		{"storage-warning", "storage", []string{"--storage-warning", "100", "--storage-critical", "500"}, 1},
		{"storage-at-critical", "storage", []string{"--storage-critical", "250"}, 0},
		{"storage-critical", "storage", []string{"--storage-critical", "249"}, 2},
		{"batch-default", "batch", nil, 0},
		{"batch-critical", "batch", []string{"--batch-warning", "100", "--batch-critical", "300"}, 2},
		{"batch-at-critical", "batch", []string{"--batch-warning", "100", "--batch-critical", "400"}, 1},
		{"crm-off-default", "crm-off", nil, 0},
		{"crm-off-warning", "crm-off", []string{"--crm-off-state", "warning"}, 1},
		{"crm-on-critical", "healthy", []string{"--crm-off-state", "critical"}, 0},
		{"c2c-down-default", "c2c-down", nil, 0},
		{"c2c-down-critical", "c2c-down", []string{"--c2c-state", "critical"}, 2},
		{"c2c-up-critical", "healthy", []string{"--c2c-state", "critical"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"--url", base + "/" + c.scenario + "/status", "--now", simNow}, auth()...)
			r := plugin(t, nil, "check_itgrix_app", append(args, c.args...)...)
			if r.Code != c.code {
				t.Errorf("exit %d, want %d\n%s", r.Code, c.code, r.Stdout)
			}
			golden.Assert(t, "e2e/signals/app-"+c.name+".txt", normaliseRun(r.Stdout))
		})
	}
}

// TestTryingThresholds walks one licence (valid till 2027-05-11, served by
// the simulator as of 2027-05-01) through the days of docs/reference.md's
// "Trying thresholds" example with --now.
func TestTryingThresholds(t *testing.T) {
	base := startSim(t, "--now", "2027-05-01", "--scenario", "expiring")
	cases := []struct {
		now  string
		args []string
		code int
	}{
		{"2027-04-10", nil, 0},
		{"2027-04-11", nil, 0},
		{"2027-04-12", nil, 1},
		{"2027-05-04", nil, 1},
		{"2027-05-05", nil, 2},
		{"2027-05-11", nil, 2},
		{"2027-05-12", nil, 2},
		// An instant is taken by its date in --timezone: 23:30 UTC on
		// 10 May is already the last valid day in Moscow.
		{"2027-05-10T23:30:00Z", []string{"-c", "1", "--timezone", "UTC"}, 1},
		{"2027-05-10T23:30:00Z", []string{"-c", "1", "--timezone", "Europe/Moscow"}, 2},
		// Without --timezone, the host's zone (here UTC+14) names the day.
		{"2027-05-10T23:30:00Z", []string{"-c", "1"}, 2},
		{"2027-05-10T09:30:00Z", []string{"-c", "1"}, 1},
	}
	for _, c := range cases {
		name := strings.NewReplacer(":", "", "/", "-").Replace(c.now + strings.Join(c.args, ""))
		t.Run(name, func(t *testing.T) {
			args := append([]string{"--url", base + "/status", "--now", c.now}, auth()...)
			r := pluginIn(t, "Pacific/Kiritimati", nil, "check_itgrix_license", append(args, c.args...)...)
			if r.Code != c.code {
				t.Errorf("exit %d, want %d\n%s", r.Code, c.code, r.Stdout)
			}
			golden.Assert(t, "e2e/signals/license-now-"+name+".txt", normaliseRun(r.Stdout))
		})
	}
}

// TestInvalidState: a wrong password, a 404 and a document that is not a
// status document follow --invalid-state in both plugins; a refused
// connection keeps --unreachable-state.
func TestInvalidState(t *testing.T) {
	base := startSim(t)
	port := freePort(t)
	cases := []struct {
		name, plugin string
		args         []string
		code         int
	}{
		{"app-wrong-password-default", "check_itgrix_app", []string{"--url", base + "/status", "-u", "admin", "-P", "wrong"}, 3},
		{"app-wrong-password-critical", "check_itgrix_app", []string{"--url", base + "/status", "-u", "admin", "-P", "wrong", "--invalid-state", "critical"}, 2},
		{"license-wrong-password-warning", "check_itgrix_license", []string{"--url", base + "/status", "-u", "admin", "-P", "wrong", "--invalid-state", "warning"}, 1},
		{"license-not-found-critical", "check_itgrix_license", append([]string{"--url", base + "/no/status/here", "--invalid-state", "critical"}, auth()...), 2},
		{"app-refused-keeps-unreachable", "check_itgrix_app", append([]string{"--url", "http://127.0.0.1:" + port + "/status", "--invalid-state", "warning"}, auth()...), 2},
		{"license-refused-keeps-unreachable", "check_itgrix_license", append([]string{"--url", "http://127.0.0.1:" + port + "/status", "--invalid-state", "critical"}, auth()...), 3},
		{"app-foreign-warning", "check_itgrix_app", append([]string{"--url", base + "/foreign/status", "--invalid-state", "warning"}, auth()...), 1},
		{"license-foreign-default", "check_itgrix_license", append([]string{"--url", base + "/foreign/status"}, auth()...), 3},
		{"app-status-file-not-a-document", "check_itgrix_app", []string{"--status-file", "../../../testdata/status/not-json.html", "--invalid-state", "critical"}, 2},
		{"license-unreadable-file-not-covered", "check_itgrix_license", []string{"--status-file", "/nonexistent", "--invalid-state", "critical"}, 3},
		{"app-usage-error-not-covered", "check_itgrix_app", []string{"--status-file", "/nonexistent", "--now", "soon", "--invalid-state", "critical"}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := plugin(t, nil, c.plugin, c.args...)
			if r.Code != c.code {
				t.Errorf("exit %d, want %d\n%s", r.Code, c.code, r.Stdout)
			}
			golden.Assert(t, "e2e/signals/invalid-"+c.name+".txt", normaliseRun(r.Stdout))
		})
	}
}

// TestProxyFailureNamesTheProxy: through a proxy that refuses, the message
// names the proxy (never its credentials), not the PBX behind it. The PBX
// is never resolved: only the proxy is dialled. ("localhost." is proxied,
// unlike "localhost" and loopback addresses; a test that reaches it
// directly would ask DNS, so --no-proxy is pinned in the client's and the
// flags' unit tests instead.)
func TestProxyFailureNamesTheProxy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.14.0.1:0")
	if err != nil {
		t.Skipf("no 127.14.0.1 on this machine: %v", err)
	}
	proxy := ln.Addr().String()
	ln.Close()
	env := []string{"HTTP_PROXY=http://user:" + Password + "@" + proxy}
	for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
		r := plugin(t, env, p, append([]string{"--url", "http://localhost.:8077/status", "--unreachable-state", "critical"}, auth()...)...)
		want := "CRITICAL: connection refused by proxy " + proxy + " (proxy from HTTP_PROXY/HTTPS_PROXY; NO_PROXY or --no-proxy connect directly)"
		if r.Code != 2 || !strings.HasPrefix(r.Line1(), want+" | 'time'=") {
			t.Errorf("%s through a dead proxy: exit %d\n%s", p, r.Code, r.Stdout)
		}
	}
}

// TestAddressFamily: -4 reaches an IPv4 listener by name; -6 cannot, and
// that is a failure to reach, not a usage error.
func TestAddressFamily(t *testing.T) {
	base := startSim(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	args := append([]string{"-H", "127.0.0.1", "-p", port}, auth()...)
	if r := plugin(t, nil, "check_itgrix_app", append(args, "-4")...); r.Code != 0 {
		t.Errorf("-4: exit %d\n%s", r.Code, r.Stdout)
	}
	if r := plugin(t, nil, "check_itgrix_license", append(args, "--ipv6", "--unreachable-state", "warning")...); r.Code != 1 {
		t.Errorf("-6 to an IPv4 address: exit %d\n%s", r.Code, r.Stdout)
	}
	if r := plugin(t, nil, "check_itgrix_app", append(args, "-4", "-6")...); r.Code != 3 || !strings.Contains(r.Line1(), "not both") {
		t.Errorf("-4 -6: exit %d\n%s", r.Code, r.Stdout)
	}
}

// TestCGIEnvironmentStillReachesLoopback: a check started with
// REQUEST_METHOD in its environment (from a CGI-like context) and an
// HTTP_PROXY still reaches a loopback PBX directly: HTTP_PROXY may be a
// request header there, and loopback is never proxied anyway.
func TestCGIEnvironmentStillReachesLoopback(t *testing.T) {
	base := startSim(t)
	env := []string{"REQUEST_METHOD=GET", "HTTP_PROXY=http://192.0.2.1:3128"}
	for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
		r := plugin(t, env, p, append([]string{"--url", base + "/status"}, auth()...)...)
		if r.Code != 0 {
			t.Errorf("%s under REQUEST_METHOD with HTTP_PROXY: exit %d\n%s", p, r.Code, r.Stdout)
		}
	}
}
