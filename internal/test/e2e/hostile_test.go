package e2e

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"hash"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icholy/digest"

	"check-itgrix/internal/test/rawserver"
)

const healthyDoc = `{"app_status":"Ok","app_state":"","app_err":"","app":{"calls_queue":{"calls":0}},"license":{"type":"Professional","valid_till":"2099-01-01"}}`

// digestServer is an RFC 7616 Digest server written for these tests, so
// the client is tried against algorithms and behaviours go-http-auth lacks
// (SHA-256, stale nonces, a password that never works).
type digestServer struct {
	algorithm  string // "MD5" or "SHA-256"
	password   string
	staleFirst bool // answer the first authenticated request with stale=true
	body       string

	mu        sync.Mutex
	nonces    map[string]bool
	staleSent bool
	requests  int
}

func (d *digestServer) hash() hash.Hash {
	if d.algorithm == "SHA-256" {
		return sha256.New()
	}
	return md5.New()
}

func (d *digestServer) h(parts ...string) string {
	h := d.hash()
	io.WriteString(h, strings.Join(parts, ":"))
	return hex.EncodeToString(h.Sum(nil))
}

func (d *digestServer) challenge(w http.ResponseWriter, stale bool) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	nonce := hex.EncodeToString(b)
	d.nonces[nonce] = true
	s := fmt.Sprintf(`Digest realm="itgrix-test", nonce="%s", algorithm=%s, qop="auth"`, nonce, d.algorithm)
	if stale {
		s += ", stale=true"
	}
	w.Header().Set("WWW-Authenticate", s)
	w.WriteHeader(http.StatusUnauthorized)
}

func (d *digestServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.requests++
	creds, err := digest.ParseCredentials(r.Header.Get("Authorization"))
	if err != nil || !d.nonces[creds.Nonce] {
		d.challenge(w, false)
		return
	}
	if d.staleFirst && !d.staleSent {
		d.staleSent = true
		delete(d.nonces, creds.Nonce)
		d.challenge(w, true)
		return
	}
	ha1 := d.h(creds.Username, creds.Realm, d.password)
	ha2 := d.h(r.Method, creds.URI)
	want := d.h(ha1, creds.Nonce, fmt.Sprintf("%08x", creds.Nc), creds.Cnonce, creds.QOP, ha2)
	if creds.Username != "admin" || creds.Response != want {
		d.challenge(w, false)
		return
	}
	_, _ = io.WriteString(w, d.body)
}

func quietServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	return srv
}

// rawServer is the status URL of a server that hands each connection to
// serve, for servers that misbehave below HTTP.
func rawServer(t *testing.T, serve func(net.Conn)) string {
	return "http://" + rawserver.Start(t, serve) + "/status"
}

// readRequest consumes one request's header so the server can answer it.
func readRequest(c net.Conn) {
	buf := make([]byte, 4096)
	var got []byte
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for !strings.Contains(string(got), "\r\n\r\n") {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		got = append(got, buf[:n]...)
	}
}

// TestHostileServers: whatever the server does, the plugin answers within
// -t with the right state and a clear message, in bounded memory; the
// harness also checks exit 0-3, no stderr, no panic trace, no password.
// The stalling servers hold the connection for 5 s, so a check that waited
// on them fails the 3 s limit (-t 1 plus slack for a loaded machine); a
// case that must not even wait for -t is told by its message, which names
// what the server did rather than the timeout.
func TestHostileServers(t *testing.T) {
	const budget = time.Second
	stall := func(c net.Conn) { readRequest(c); time.Sleep(5 * time.Second) }
	cases := []struct {
		name  string
		url   func(t *testing.T) string
		args  []string
		code  int
		want  string
		quick bool // must not even wait for the timeout
	}{
		{"accepts and never answers", func(t *testing.T) string {
			return rawServer(t, func(c net.Conn) { time.Sleep(5 * time.Second) })
		}, nil, 2, "no answer from 127.0.0.1:", false},
		{"headers then stall", func(t *testing.T) string {
			return rawServer(t, func(c net.Conn) {
				readRequest(c)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{")
				time.Sleep(5 * time.Second)
			})
		}, nil, 2, "no answer from 127.0.0.1:", false},
		{"trickles a byte a second", func(t *testing.T) string {
			return rawServer(t, func(c net.Conn) {
				readRequest(c)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
				for i := 0; i < 5; i++ {
					if _, err := c.Write([]byte(" ")); err != nil {
						return
					}
					time.Sleep(time.Second)
				}
			})
		}, nil, 2, "no answer from 127.0.0.1:", false},
		{"unreachable state applies to a stall", func(t *testing.T) string { return rawServer(t, stall) },
			[]string{"--unreachable-state", "warning"}, 1, "within the 1s timeout", false},
		{"50 MB body with length", func(t *testing.T) string {
			return quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "52428800")
				chunk := make([]byte, 1<<20)
				for i := 0; i < 50; i++ {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			})).URL + "/status"
		}, nil, 3, "larger than 4 MiB", true},
		{"50 MB body chunked", func(t *testing.T) string {
			return quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				chunk := []byte(strings.Repeat(" ", 1<<20))
				for i := 0; i < 50; i++ {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			})).URL + "/status"
		}, nil, 3, "larger than 4 MiB", true},
		{"JSON nested 100000 deep", servePlain(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), nil, 3, "exceeded max depth", true},
		{"null", servePlain("null"), nil, 3, "status document is null, expected a JSON object", true},
		{"array", servePlain(`[{"app_status":"Ok"}]`), nil, 3, "status document is an array, expected a JSON object", true},
		{"truncated JSON", servePlain(healthyDoc[:40]), nil, 3, "body is not valid JSON: unexpected end of JSON input", true},
		{"HTML 500", func(t *testing.T) string {
			return quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(500)
				io.WriteString(w, "<html><body><h1>500 | Internal Server Error</h1></body></html>")
			})).URL + "/status"
		}, nil, 2, "HTTP 500 Internal Server Error from 127.0.0.1:", true},
		{"401 forever with the right password", func(t *testing.T) string {
			return quietServer(&digestServer{algorithm: "MD5", password: "never-" + Password, body: healthyDoc, nonces: map[string]bool{}}).URL + "/status"
		}, nil, 3, "authentication failed, check login and password", true},
		{"redirect", func(t *testing.T) string {
			return quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://login.example/", http.StatusFound)
			})).URL + "/status"
		}, nil, 3, "redirects to https://login.example/ (HTTP 302 Found)", true},
		{"stale nonce re-challenge", func(t *testing.T) string {
			return quietServer(&digestServer{algorithm: "MD5", password: Password, staleFirst: true, body: healthyDoc, nonces: map[string]bool{}}).URL + "/status"
		}, nil, 0, "OK: Itgrix running (status Ok)", true},
		{"SHA-256 Digest", func(t *testing.T) string {
			return quietServer(&digestServer{algorithm: "SHA-256", password: Password, body: healthyDoc, nonces: map[string]bool{}}).URL + "/status"
		}, nil, 0, "OK: Itgrix running (status Ok)", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--url", c.url(t), "-t", "1"}, auth()...)
			r := plugin(t, nil, "check_itgrix_app", append(args, c.args...)...)
			if r.Code != c.code || !strings.Contains(r.Line1(), c.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", r.Code, c.code, c.want, r.Stdout)
			}
			if c.quick && strings.Contains(r.Line1(), "timeout") {
				t.Errorf("waited for -t: %s", r.Line1())
			}
			if limit := budget + 2*time.Second; r.Took > limit {
				t.Errorf("took %s, limit %s", r.Took, limit)
			}
			if r.MaxRSS == 0 || r.MaxRSS > 64 {
				t.Errorf("peak RSS %.1f MiB", r.MaxRSS)
			}
		})
	}
}

func servePlain(body string) func(t *testing.T) string {
	return func(t *testing.T) string {
		srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/status"
	}
}

// TestBigBodyMemory: a 50 MB answer is refused without reading past the
// cap, so the plugin's peak memory stays far below the body's size.
func TestBigBodyMemory(t *testing.T) {
	var sent int64
	var mu sync.Mutex
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 64<<10)
		for i := 0; i < 800; i++ {
			n, err := w.Write(chunk)
			mu.Lock()
			sent += int64(n)
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	r := plugin(t, nil, "check_itgrix_app", append([]string{"--url", srv.URL + "/status"}, auth()...)...)
	if r.Code != 3 || !strings.Contains(r.Line1(), "larger than 4 MiB") {
		t.Errorf("exit %d: %s", r.Code, r.Stdout)
	}
	if r.MaxRSS == 0 || r.MaxRSS > 64 {
		t.Errorf("peak RSS %.1f MiB", r.MaxRSS)
	}
	t.Logf("peak RSS %.1f MiB for a refused 50 MB body", r.MaxRSS)
	mu.Lock()
	defer mu.Unlock()
	// What the server managed to push is bounded by the cap plus socket
	// buffers, not by the 50 MB it wanted to send.
	if sent > 16<<20 {
		t.Errorf("server wrote %d MiB before the plugin hung up", sent>>20)
	}
}

func TestSelfSignedCertificate(t *testing.T) {
	srv := httptest.NewUnstartedServer(&digestServer{algorithm: "MD5", password: Password, body: healthyDoc, nonces: map[string]bool{}})
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	url := srv.URL + "/status"
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "TLS certificate of 127.0.0.1:"},
		{[]string{"--unreachable-state", "unknown"}, 3, "use --ca-file, or -k to skip verification"},
		{[]string{"-k"}, 0, "OK: Itgrix running"},
		{[]string{"--ca-file", ca}, 0, "OK: Itgrix running"},
	}
	for _, c := range cases {
		r := plugin(t, nil, "check_itgrix_app", append(append([]string{"--url", url, "-t", "2"}, auth()...), c.args...)...)
		if r.Code != c.code || !strings.Contains(r.Line1(), c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, r.Code, c.code, c.want, r.Stdout)
		}
	}
}
