package cli

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/test/rawserver"
)

// TestInvalidStateCoversAnswersThatCannotBeEvaluated: --invalid-state
// applies when the endpoint answered but the answer cannot be evaluated,
// from a server or a --status-file; never to the unreachable kinds, which
// keep --unreachable-state, nor to usage errors.
func TestInvalidStateCoversAnswersThatCannotBeEvaluated(t *testing.T) {
	status := func(code int, header ...string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i+1 < len(header); i += 2 {
				w.Header().Set(header[i], header[i+1])
			}
			w.WriteHeader(code)
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/status"
	}
	body := func(b string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(b)) }))
		t.Cleanup(srv.Close)
		return srv.URL + "/status"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/status"
	ln.Close()
	auth := []string{"-u", "admin", "-P", password}
	cases := []struct {
		name    string
		args    []string
		covered bool
		line1   string
	}{
		{"wrong password", append([]string{"--url", simServer(t)}, "-u", "admin", "-P", "wrong"), true, "authentication failed"},
		{"basic only", append([]string{"--url", status(401, "WWW-Authenticate", `Basic realm="x"`)}, auth...), true, "offers no supported Digest challenge"},
		{"404", append([]string{"--url", status(404)}, auth...), true, "no /status endpoint"},
		{"redirect", append([]string{"--url", status(302, "Location", "/elsewhere")}, auth...), true, "redirects to /elsewhere"},
		{"403", append([]string{"--url", status(403)}, auth...), true, "HTTP 403 Forbidden"},
		{"too large", append([]string{"--url", body(strings.Repeat(" ", itgrix.MaxBody+1))}, auth...), true, "larger than 4 MiB"},
		{"not JSON", append([]string{"--url", body("<html>")}, auth...), true, "body is HTML"},
		{"not an object", append([]string{"--url", body("[1]")}, auth...), true, "status document is an array"},
		{"not a status document", append([]string{"--url", body(`{"error":"x"}`)}, auth...), true, "not an Itgrix status document"},
		{"file not JSON", []string{"--status-file", writeFile(t, "nope")}, true, `body is not JSON, it starts "nope"`},
		{"file not a status document", []string{"--status-file", writeFile(t, `{"a":1}`)}, true, "not an Itgrix status document"},
		{"file too large", []string{"--status-file", writeFile(t, strings.Repeat(" ", itgrix.MaxBody+1))}, true, "larger than 4 MiB"},
		{"5xx is unreachable", append([]string{"--url", status(503)}, auth...), false, "HTTP 503"},
		{"refused is unreachable", append([]string{"--url", refused}, auth...), false, "connection refused"},
		{"not HTTP", append([]string{"--url", notHTTP(t)}, auth...), true, "does not answer in HTTP"},
		{"unreadable file", []string{"--status-file", "/nonexistent/x"}, false, "cannot read --status-file"},
		{"usage", []string{"--status-file", writeFile(t, `{"app_status":"Ok"}`), "-t", "soon"}, false, "usage: "},
		{"element problem", []string{"--status-file", writeFile(t, `{"app_status":7}`)}, false, "read "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, def := runWith(t, spec(false), nil, c.args...)
			code, out := runWith(t, spec(false), nil, append(c.args, "--invalid-state", "warning")...)
			if !strings.Contains(out, c.line1) {
				t.Errorf("line 1 %q lacks %q", out, c.line1)
			}
			switch {
			case c.covered && (code != 1 || !strings.HasPrefix(out, "WARNING: ") || !strings.HasPrefix(def, "UNKNOWN: ")):
				t.Errorf("covered: exit %d %q (default %q)", code, out, def)
			case !c.covered && code == 1:
				t.Errorf("not covered, yet WARNING: %q", out)
			}
		})
	}
}

// notHTTP is a server on the port that answers, but not in HTTP.
func notHTTP(t *testing.T) string {
	return "http://" + rawserver.Start(t, func(c net.Conn) {
		// Answer the request, not before it: a server that speaks first
		// races the client's request, which is another row.
		_, _ = c.Read(make([]byte, 4096))
		_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n"))
	}) + "/status"
}

// TestNow: --now replaces the clock the evaluation sees, read as a day in
// the check's zone; the time metric stays measured on the real clock.
func TestNow(t *testing.T) {
	var seen time.Time
	zone := time.FixedZone("UTC+14", 14*3600)
	s := Spec{
		Name:        "check_test",
		Unreachable: check.Critical,
		Check: testCheck{zone: zone, evaluate: func(_ *itgrix.Status, now time.Time) check.Result {
			seen = now
			return check.Result{State: check.OK, Summary: "at " + now.Format(time.RFC3339)}
		}},
	}
	file := writeFile(t, `{"app_status":"Ok"}`)
	cases := []struct {
		now  string
		want time.Time
	}{
		{"", fixed()},
		{"2027-05-11", time.Date(2027, 5, 11, 0, 0, 0, 0, zone)},
		{" 2027-05-11 ", time.Date(2027, 5, 11, 0, 0, 0, 0, zone)},
		{"2027-05-11T23:30:00Z", time.Date(2027, 5, 11, 23, 30, 0, 0, time.UTC)},
		{"2027-05-11T09:30:00.5+03:00", time.Date(2027, 5, 11, 6, 30, 0, 5e8, time.UTC)},
	}
	for _, c := range cases {
		args := []string{"--status-file", file}
		if c.now != "" {
			args = append(args, "--now", c.now)
		}
		code, out := runWith(t, s, nil, args...)
		if code != 0 || !seen.Equal(c.want) {
			t.Errorf("--now %q: exit %d, evaluated at %v, want %v\n%s", c.now, code, seen, c.want, out)
		}
		// An instant is seen in the check's zone, so its date is that
		// zone's today.
		if c.now != "" && seen.Location() != zone {
			t.Errorf("--now %q: evaluated in %v, want the check's zone", c.now, seen.Location())
		}
		if !strings.Contains(out, "'time'=0s;;;0;") {
			t.Errorf("--now %q: the time metric must stay real (0s with a fixed clock):\n%s", c.now, out)
		}
	}
	for _, bad := range []string{"tomorrow", "2027-02-30", "11.05.2027", "2027-05-11 09:30", "2027-05-11T09:30:00"} {
		code, out := runWith(t, s, nil, "--status-file", file, "--now", bad)
		if code != 3 || !strings.HasPrefix(out, "UNKNOWN: usage: --now ") {
			t.Errorf("--now %q: exit %d %q", bad, code, out)
		}
	}
}

func TestParseAge(t *testing.T) {
	ok := map[string]time.Duration{
		"0": 0, "5400": 90 * time.Minute, "1.5": 1500 * time.Millisecond, "90m": 90 * time.Minute,
		"2h": 2 * time.Hour, "1d": 24 * time.Hour, "1d12h": 36 * time.Hour, "0s": 0, "315360000": 10 * 365 * 24 * time.Hour,
	}
	for in, want := range ok {
		if got, err := ParseAge(in); err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "-1", "-5m", "abc", "10x", "NaN", "315360001", "3651d", "1e400"} {
		if d, err := ParseAge(in); err == nil {
			t.Errorf("ParseAge(%q) accepted: %v", in, d)
		}
	}
}

func TestAddressFamilyFlags(t *testing.T) {
	code, out := runWith(t, spec(false), nil, "-u", "a", "-P", password, "-4", "-6")
	if code != 3 || !strings.Contains(out, "usage: give -4/--ipv4 or -6/--ipv6, not both") {
		t.Errorf("exit %d %q", code, out)
	}
	url := simServer(t) // listens on 127.0.0.1
	code, out = runWith(t, spec(false), nil, "--url", url, "-u", "admin", "-P", password, "-4")
	if code != 0 {
		t.Errorf("-4 to an IPv4 server: exit %d %q", code, out)
	}
	code, out = runWith(t, spec(false), nil, "--url", url, "-u", "admin", "-P", password, "--ipv6")
	if code != 2 || !strings.HasPrefix(out, "CRITICAL: ") {
		t.Errorf("-6 to an IPv4 address must not connect: exit %d %q", code, out)
	}
	_, help := runWith(t, spec(false), nil, "--help")
	for _, f := range []string{"-4", "--ipv4", "-6", "--ipv6", "--no-proxy"} {
		if !strings.Contains(help, f) {
			t.Errorf("--help lacks %s", f)
		}
	}
}

// TestNoProxy: --no-proxy leaves the client without a proxy function;
// without it the environment's proxy rules apply.
func TestNoProxy(t *testing.T) {
	env := Env{Getenv: func(k string) string { return map[string]string{"ITGRIX_PASSWORD": password}[k] }}
	for _, noProxy := range []bool{false, true} {
		o := &options{hostname: "pbx", port: 8077, username: "admin", noProxy: noProxy, timeout: time.Second}
		r, err := o.request(env)
		if err != nil {
			t.Fatal(err)
		}
		if (r.proxy == nil) != noProxy {
			t.Errorf("--no-proxy=%v: proxy function set: %v", noProxy, r.proxy != nil)
		}
	}
}

// TestStandardLoggerSilenced: net/http writes some server misbehaviour to
// the standard logger; a plugin run must leave nothing for it to print.
func TestStandardLoggerSilenced(t *testing.T) {
	defer log.SetOutput(log.Writer())
	log.SetOutput(os.Stderr)
	runWith(t, spec(false), nil, "--status-file", writeFile(t, `{"app_status":"Ok"}`))
	if log.Writer() != io.Discard {
		t.Error("the standard logger still writes after a run")
	}
}
