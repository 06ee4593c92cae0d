package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runIn is runWith with a given stdin.
func runIn(t *testing.T, stdin io.Reader, args ...string) (int, string) {
	t.Helper()
	var out strings.Builder
	code := Run(spec(false), Env{
		Args:   args,
		Getenv: func(string) string { return "" },
		Stdin:  stdin,
		Stdout: &out,
		Now:    time.Now,
	})
	return code, out.String()
}

// fifo makes a named pipe nobody writes to. At cleanup a writer opens and
// closes it, so a reader the check abandoned at its deadline is released.
func fifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	return p
}

// trickle writes one byte every 50ms and never closes.
func trickle(t *testing.T) io.Reader {
	r, w := io.Pipe()
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop); w.Close() })
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				if _, err := w.Write([]byte("{")); err != nil {
					return
				}
			}
		}
	}()
	return r
}

// TestFilesAreBoundedBySizeAndTimeout: every file the check reads is
// capped in size and read within -t; each failure is one UNKNOWN line on
// the normal path (time metric, -v line), never a usage error or a hang.
func TestFilesAreBoundedBySizeAndTimeout(t *testing.T) {
	url := simServer(t)
	net := []string{"--url", url, "-u", "admin", "-t", "400ms", "-v"}
	// Cases that must end on the size cap, not the deadline, get a budget
	// a loaded machine cannot exhaust: reading 1 MiB under -race is slow.
	roomy := []string{"--url", url, "-u", "admin", "-t", "10s", "-v"}
	never, _ := io.Pipe()
	cases := []struct {
		name  string
		stdin io.Reader
		args  []string
		want  string
	}{
		{"password file is a FIFO without writer", nil, append(net, "--password-file", fifo(t)), "nothing to read within the 400ms timeout"},
		{"CA file is a FIFO without writer", nil, append(net, "-P", password, "--ca-file", fifo(t)), "--ca-file"},
		{"status file is a FIFO without writer", nil, []string{"-t", "400ms", "-v", "--status-file", fifo(t)}, "nothing to read within the 400ms timeout"},
		{"stdin never closes", never, []string{"-t", "400ms", "-v", "--status-file", "-"}, "--status-file -: nothing to read within the 400ms timeout"},
		{"stdin trickles", trickle(t), []string{"-t", "400ms", "-v", "--status-file", "-"}, "bytes arrived within the 400ms timeout"},
		{"password file is /dev/zero", nil, append(roomy, "--password-file", "/dev/zero"), "--password-file /dev/zero: no line break in its first 4 KiB: not a password file"},
		{"CA file is /dev/zero", nil, append(roomy, "-P", password, "--ca-file", "/dev/zero"), "--ca-file /dev/zero is larger than 1 MiB: not a PEM bundle"},
		{"status file is /dev/zero", nil, []string{"-v", "--status-file", "/dev/zero"}, "--status-file /dev/zero is larger than 4 MiB: not a status document"},
		{"password file missing", nil, append(net, "--password-file", "/nonexistent/pass"), "cannot read --password-file /nonexistent/pass: no such file or directory"},
		{"CA file missing", nil, append(net, "-P", password, "--ca-file", "/nonexistent/ca.pem"), "cannot read --ca-file /nonexistent/ca.pem: no such file or directory"},
		{"status file missing", nil, []string{"-v", "--status-file", "/nonexistent/status.json"}, "cannot read --status-file /nonexistent/status.json: no such file or directory"},
		{"status file is a directory", nil, []string{"-v", "--status-file", t.TempDir()}, "is a directory"},
		{"password file holds NUL", nil, append(net, "--password-file", writeFile(t, "ab\x00cd\n")), "holds NUL bytes"},
		{"CA file holds no PEM", nil, append(net, "-P", password, "--ca-file", writeFile(t, "not pem")), "holds no PEM certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			code, out := runIn(t, c.stdin, c.args...)
			took := time.Since(start)
			line1, _, _ := strings.Cut(out, "\n")
			if code != 3 || !strings.HasPrefix(out, "UNKNOWN: ") || strings.Contains(line1, "usage:") || !strings.Contains(line1, c.want) {
				t.Errorf("exit %d, want UNKNOWN (not usage) with %q:\n%s", code, c.want, out)
			}
			if !strings.Contains(out, "'time'=") || !strings.Contains(out, "failed after") {
				t.Errorf("lost the time metric or the -v line:\n%s", out)
			}
			if took > 5*time.Second {
				t.Errorf("took %s with -t 400ms", took)
			}
		})
	}
}

// TestFilesWithinBudgetStillWork: a password from a FIFO that has a
// writer, and a document on stdin, are read as before.
func TestFilesWithinBudgetStillWork(t *testing.T) {
	url := simServer(t)
	p := fifo(t)
	go func() {
		if f, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			_, _ = f.WriteString(password + "\n")
			f.Close()
		}
	}()
	if code, out := runIn(t, nil, "--url", url, "-u", "admin", "--password-file", p); code != 0 {
		t.Errorf("password from a FIFO: exit %d\n%s", code, out)
	}
	if code, out := runIn(t, strings.NewReader(`{"app_status":"Ok"}`), "--status-file", "-"); code != 0 {
		t.Errorf("document on stdin: exit %d\n%s", code, out)
	}
}

// TestBadHostsAndPortsAreUsageErrors: a host or port no request could be
// sent to is one "UNKNOWN: usage:" line without performance data, never
// an outage.
func TestBadHostsAndPortsAreUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-H", "127.0.0.1 "}, `-H "127.0.0.1 ": ' ' is not allowed in a host name`},
		{[]string{"-H", " pbx"}, `' ' is not allowed`},
		{[]string{"-H", "pbx\tone"}, `'\t' is not allowed`},
		{[]string{"-H", "admin@pbx"}, `'@' is not allowed`},
		{[]string{"-H", "pbx%zz"}, `'%' is not allowed`},
		{[]string{"-H", "пбх.example"}, `is not allowed in a host name`},
		{[]string{"-H", "http://pbx:8077/status"}, "a whole URL goes in --url"},
		{[]string{"-H", "pbx/status"}, "a whole URL goes in --url"},
		{[]string{"-H", "pbx..example"}, "not a host name"},
		{[]string{"--hostname=-pbx"}, "not a host name"},
		{[]string{"-H", strings.Repeat("a", 254)}, `-H "aaaa`},
		{[]string{"--url", "http://pbx:99999/status"}, `port must be 1-65535, got "99999"`},
		{[]string{"--url", "http://pbx:0/status"}, `port must be 1-65535, got "0"`},
		{[]string{"--url", "http://pbx:65536/status"}, `port must be 1-65535`},
		{[]string{"--url", "http://pbx:80a/status"}, "--url is not a URL"},
		{[]string{"--url", "http://a b/status"}, "--url is not a URL"},
		{[]string{"--url", "http://pbx!/status"}, `'!' is not allowed`},
	}
	for _, c := range cases {
		code, out := runIn(t, nil, append(c.args, "-u", "admin", "-P", password)...)
		if code != 3 || !strings.HasPrefix(out, "UNKNOWN: usage: ") || strings.Count(withoutUsage(out), "\n") != 1 || strings.Contains(out, "|") || !strings.Contains(out, c.want) {
			t.Errorf("%q: exit %d, want one UNKNOWN: usage: line with %q:\n%s", c.args, code, c.want, out)
		}
	}
	for _, o := range []options{
		{hostname: "fe80::1%eth0", port: 8077},
		{hostname: "pbx_1.example.", port: 8077},
		{hostname: "xn--e1afmkfd.example", port: 8077},
		{url: "http://[fe80::1%25eth0]:8077/status"},
		{url: "http://pbx:/status"},
	} {
		if _, err := o.statusURL(); err != nil {
			t.Errorf("%+v refused: %v", o, err)
		}
	}
}
