package e2e

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reply answers every request with the given raw bytes.
func reply(raw string) func(net.Conn) {
	return func(c net.Conn) {
		readRequest(c)
		_, _ = io.WriteString(c, raw)
	}
}

// TestFailureTable: one case per row of the operator's guide's failure table, and
// per member of each row that used to land on another one, run through
// the real plugin. app's --unreachable-state defaults to critical, the
// licence check's to unknown.
func TestFailureTable(t *testing.T) {
	closed := freePort(t)
	cases := []struct {
		row, name string
		url       func(t *testing.T) string
		args      []string
		code      int // check_itgrix_app; check_itgrix_license differs only on the unreachable row
		want      string
	}{
		{"unreachable", "connection refused", func(*testing.T) string { return "http://127.0.0.1:" + closed + "/status" }, nil, 2, "connection refused by 127.0.0.1:"},
		{"unreachable", "connection closed before an answer", func(t *testing.T) string { return rawServer(t, func(c net.Conn) { readRequest(c) }) }, nil, 2, "cannot reach 127.0.0.1:"},
		{"unreachable", "https to a plain HTTP server", func(t *testing.T) string {
			plain := rawServer(t, func(c net.Conn) { _, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n") })
			return strings.Replace(plain, "http://", "https://", 1)
		}, nil, 2, "does not speak TLS"},
		{"unreachable", "HTTP 503", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"))
		}, nil, 2, "HTTP 503 Service Unavailable from 127.0.0.1:"},
		{"unreachable", "HTTP 599", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 599 Whatever\r\nContent-Length: 0\r\n\r\n"))
		}, nil, 2, "HTTP 599 from 127.0.0.1:"},
		{"401 after Digest", "wrong password", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\", qop=\"auth\"\r\nContent-Length: 0\r\n\r\n"))
		}, nil, 3, "authentication failed, check login and password"},
		{"401 without usable Digest", "Basic only", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n"))
		}, nil, 3, `offers no supported Digest challenge (WWW-Authenticate: Basic realm="r")`},
		{"401 without usable Digest", "malformed challenge", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r, nonce=n\r\nContent-Length: 0\r\n\r\n"))
		}, nil, 3, `sent a Digest challenge that cannot be used (invalid challenge: EOF): WWW-Authenticate: Digest realm="r, nonce=n`},
		{"404", "no endpoint", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
		}, nil, 3, "no /status endpoint at http://127.0.0.1:"},
		{"redirects and other statuses", "Location that does not parse", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 302 Found\r\nLocation: /promo/50%off\r\nContent-Length: 0\r\n\r\n"))
		}, nil, 3, "redirects to /promo/50%off (HTTP 302 Found): point --url at the status endpoint itself"},
		{"redirects and other statuses", "HTTP 999", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n"))
		}, nil, 3, "HTTP 999 from http://127.0.0.1:"},
		{"redirects and other statuses", "HTTP 403", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"))
		}, nil, 3, "HTTP 403 Forbidden from http://127.0.0.1:"},
		{"redirects and other statuses", "HTTP 101", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n"))
		}, nil, 3, "HTTP 101 Switching Protocols from http://127.0.0.1:"},
		{"not HTTP", "another protocol on the port", func(t *testing.T) string {
			return rawServer(t, reply("SSH-2.0-OpenSSH_9.2\r\n"))
		}, nil, 3, "does not answer in HTTP"},
		{"not HTTP", "four-digit status", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 1000 Huge\r\nContent-Length: 0\r\n\r\n"))
		}, nil, 3, `does not answer in HTTP (malformed HTTP status code "1000")`},
		{"body", "HTML instead of JSON", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>"))
		}, nil, 3, "invalid status document from http://127.0.0.1:"},
		{"body", "over 4 MiB", func(t *testing.T) string {
			return rawServer(t, reply("HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n"))
		}, nil, 3, "larger than 4 MiB"},
	}
	for _, c := range cases {
		t.Run(c.row+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			url := c.url(t)
			for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
				want := c.code
				if c.row == "unreachable" && p == "check_itgrix_license" {
					want = 3
				}
				r := plugin(t, nil, p, append([]string{"--url", url, "-t", "3"}, append(auth(), c.args...)...)...)
				if r.Code != want || !strings.Contains(r.Line1(), c.want) || strings.Count(r.Stdout, "\n") != 1 || !strings.Contains(r.Stdout, "'time'=") {
					t.Errorf("%s: exit %d, want %d and one line with %q and the time metric:\n%s", p, r.Code, want, c.want, r.Stdout)
				}
			}
		})
	}
}

// TestCommandLineRow: a command line no request could be made from is one
// "UNKNOWN: usage:" line without performance data, whatever the plugin.
func TestCommandLineRow(t *testing.T) {
	for _, args := range [][]string{
		{"-H", "127.0.0.1 "},
		{"-H", "http://127.0.0.1:8077/status"},
		{"--url", "http://127.0.0.1:99999/status"},
		{"--url", "http://127.0.0.1:0/status"},
		{"--url", "http://127.0.0.1:8077 /status"},
	} {
		for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
			r := plugin(t, nil, p, append(args, auth()...)...)
			if r.Code != 3 || !strings.HasPrefix(r.Stdout, "UNKNOWN: usage: ") || strings.Count(withoutUsage(r.Stdout), "\n") != 1 || strings.Contains(r.Stdout, "|") {
				t.Errorf("%s %q: exit %d, want one UNKNOWN: usage: line:\n%s", p, args, r.Code, r.Stdout)
			}
		}
	}
}

// TestFileRow: a file that cannot be used is UNKNOWN on the normal path,
// with the time metric and the -v line, never the usage line.
func TestFileRow(t *testing.T) {
	dir := t.TempDir()
	pem := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(pem, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := startSim(t)
	for _, args := range [][]string{
		{"--status-file", filepath.Join(dir, "missing.json")},
		{"--status-file", dir},
		{"--url", base + "/status", "-u", "admin", "--password-file", filepath.Join(dir, "missing")},
		{"--url", base + "/status", "-u", "admin", "-P", Password, "--ca-file", pem},
	} {
		r := plugin(t, nil, "check_itgrix_app", append(args, "-v")...)
		if r.Code != 3 || !strings.HasPrefix(r.Stdout, "UNKNOWN: ") || strings.Contains(r.Line1(), "usage:") ||
			!strings.Contains(r.Stdout, "'time'=") || !strings.Contains(r.Stdout, "failed after") {
			t.Errorf("%q: exit %d, want UNKNOWN with time and the -v line:\n%s", args, r.Code, r.Stdout)
		}
	}
}
