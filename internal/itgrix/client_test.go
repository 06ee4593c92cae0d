package itgrix

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"check-itgrix/internal/test/rawserver"
)

const testPassword = "client-test-password"

// server is a plain test server; the handlers play the Digest side
// themselves where a case needs it (real Digest is covered end to end).
func server(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func client(t *testing.T, raw string) *Client {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{URL: u, Username: "admin", Password: testPassword, Timeout: 2 * time.Second}
}

func fetchErr(t *testing.T, c *Client) *Error {
	t.Helper()
	body, err := c.Fetch(context.Background())
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Fetch = %q, %v; want an *Error", body, err)
	}
	if strings.Contains(e.Error(), testPassword) {
		t.Errorf("error text carries the password: %s", e)
	}
	return e
}

func TestFetchStatusCodes(t *testing.T) {
	cases := []struct {
		name        string
		handler     http.HandlerFunc
		kind        Kind
		unreachable bool
		msg         string
	}{
		{"401 with Basic only", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
			w.WriteHeader(401)
		}, NoDigest, false, `offers no supported Digest challenge (WWW-Authenticate: Basic realm="x")`},
		{"401 with MD5-sess only", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Digest realm="x", nonce="n", algorithm=MD5-sess, qop="auth"`)
			w.WriteHeader(401)
		}, NoDigest, false, "MD5-sess"},
		{"401 after the Digest exchange", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Digest realm="x", nonce="n", algorithm=MD5, qop="auth"`)
			w.WriteHeader(401)
		}, AuthFailed, false, "authentication failed, check login and password (HTTP 401 Unauthorized after Digest exchange)"},
		{"malformed challenge", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Digest realm="x`)
			w.WriteHeader(401)
		}, BadChallenge, false, "sent a Digest challenge that cannot be used"},
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			NotFound, false, "(HTTP 404 Not Found): needs Itgrix bx >= 3.6.0 or Itgrix Kommo >= 2.13.0"},
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "<html>oops</html>", 500) },
			ServerError, true, "HTTP 500 Internal Server Error from 127.0.0.1:"},
		{"503", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) },
			ServerError, true, "HTTP 503 Service Unavailable"},
		{"403", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(403) },
			HTTPStatus, false, "HTTP 403 Forbidden from http://127.0.0.1:"},
		{"302", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/login|x", http.StatusFound) },
			HTTPStatus, false, "redirects to /login|x (HTTP 302 Found): point --url at the status endpoint itself"},
		{"declared too large", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "999999999")
			w.WriteHeader(200)
		}, TooLarge, false, "larger than 4 MiB"},
		{"streamed too large", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for i := 0; i < (MaxBody>>16)+2; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, TooLarge, false, "larger than 4 MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := server(t, c.handler)
			e := fetchErr(t, client(t, srv.URL+"/status"))
			if e.Kind != c.kind || e.Unreachable() != c.unreachable || !strings.Contains(e.Error(), c.msg) {
				t.Errorf("got kind %d unreachable %v %q; want kind %d unreachable %v containing %q", e.Kind, e.Unreachable(), e, c.kind, c.unreachable, c.msg)
			}
		})
	}
}

func TestFetchOK(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.Header().Set("WWW-Authenticate", `Digest realm="x", nonce="abc", algorithm=MD5, qop="auth"`)
			w.WriteHeader(401)
			return
		}
		_, _ = w.Write([]byte(`{"app_status":"Ok"}`))
	})
	body, err := client(t, srv.URL+"/status").Fetch(context.Background())
	if err != nil || string(body) != `{"app_status":"Ok"}` {
		t.Errorf("%q %v", body, err)
	}
}

func TestFetchRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	e := fetchErr(t, client(t, "http://"+addr+"/status"))
	if e.Kind != Refused || !e.Unreachable() || e.Error() != "connection refused by "+addr+": is Itgrix running and listening there?" {
		t.Errorf("%d %q", e.Kind, e)
	}
}

func TestFetchTimeout(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	c := client(t, srv.URL+"/status")
	c.Timeout = 300 * time.Millisecond
	start := time.Now()
	e := fetchErr(t, c)
	if e.Kind != Timeout || !e.Unreachable() || !strings.Contains(e.Error(), "within the 300ms timeout") {
		t.Errorf("%d %q", e.Kind, e)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s", took)
	}
}

func TestFetchTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	c := client(t, srv.URL+"/status")
	e := fetchErr(t, c)
	if e.Kind != TLS || !e.Unreachable() || !strings.Contains(e.Error(), "not trusted") || !strings.Contains(e.Error(), "--ca-file") {
		t.Errorf("untrusted: %d %q", e.Kind, e)
	}
	c.Insecure = true
	if _, err := c.Fetch(context.Background()); err != nil {
		t.Errorf("-k: %v", err)
	}
	c.Insecure = false
	c.RootCAs = x509.NewCertPool()
	c.RootCAs.AddCert(srv.Certificate())
	if _, err := c.Fetch(context.Background()); err != nil {
		t.Errorf("--ca-file: %v", err)
	}
	// https against a plain-HTTP server.
	plain := server(t, func(w http.ResponseWriter, r *http.Request) {})
	e = fetchErr(t, client(t, strings.Replace(plain.URL, "http://", "https://", 1)+"/status"))
	if e.Kind != TLS || !strings.Contains(e.Error(), "does not speak TLS") {
		t.Errorf("https to http: %d %q", e.Kind, e)
	}
}

func TestTransportErrorKinds(t *testing.T) {
	c := client(t, "http://pbx.invalid:8077/status")
	cases := []struct {
		err  error
		kind Kind
		msg  string
	}{
		{&url.Error{Op: "Get", URL: "http://pbx.invalid:8077/status", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "pbx.invalid", IsNotFound: true}}},
			DNS, `cannot resolve host "pbx.invalid": no such host`},
		{&url.Error{Op: "Get", URL: "x", Err: errors.New("connection reset by peer")},
			Network, "cannot reach pbx.invalid:8077: connection reset by peer"},
		{&url.Error{Op: "Get", URL: "x", Err: context.DeadlineExceeded},
			Timeout, "no answer from pbx.invalid:8077"},
	}
	for _, tc := range cases {
		var e *Error
		if !errors.As(c.transportError(context.Background(), tc.err, nil), &e) || e.Kind != tc.kind || !strings.HasPrefix(e.Error(), tc.msg) {
			t.Errorf("%v: got %+v, want kind %d %q", tc.err, e, tc.kind, tc.msg)
		}
	}
}

// rawServer answers every connection with the bytes of reply, whatever the
// request: status lines and headers net/http's server would never send.
func rawServer(t *testing.T, reply string) string {
	return "http://" + rawserver.Start(t, func(conn net.Conn) {
		buf := make([]byte, 0, 4096)
		tmp := make([]byte, 1024)
		for !strings.Contains(string(buf), "\r\n\r\n") {
			n, err := conn.Read(tmp)
			if err != nil {
				return
			}
			buf = append(buf, tmp[:n]...)
		}
		_, _ = io.WriteString(conn, reply)
	}) + "/status"
}

// TestFailureTableRows puts each answer a server can give on the row of
// the operator's guide's failure table that names it: redirects (even one whose
// Location does not parse), 5xx as unreachable, every other status (1xx,
// 2xx other than 200, 3xx without a Location, 4xx, and codes outside
// 100-599) as "other HTTP status", an answer that is not HTTP, and a
// malformed Digest challenge named by its text.
func TestFailureTableRows(t *testing.T) {
	cases := []struct {
		name        string
		reply       string
		kind        Kind
		unreachable bool
		msg         string
	}{
		{"redirect whose Location does not parse", "HTTP/1.1 302 Found\r\nLocation: /promo/50%off\r\nContent-Length: 0\r\n\r\n",
			HTTPStatus, false, "redirects to /promo/50%off (HTTP 302 Found): point --url at the status endpoint itself"},
		{"redirect to another host", "HTTP/1.1 301 Moved Permanently\r\nLocation: http://elsewhere.invalid/status\r\nContent-Length: 0\r\n\r\n",
			HTTPStatus, false, "redirects to http://elsewhere.invalid/status (HTTP 301 Moved Permanently)"},
		{"308", "HTTP/1.1 308 Permanent Redirect\r\nLocation: https://pbx/status\r\nContent-Length: 0\r\n\r\n",
			HTTPStatus, false, "redirects to https://pbx/status (HTTP 308 Permanent Redirect)"},
		{"304 without Location", "HTTP/1.1 304 Not Modified\r\n\r\n",
			HTTPStatus, false, "HTTP 304 Not Modified from http://127.0.0.1:"},
		{"status 999", "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n",
			HTTPStatus, false, "HTTP 999 from http://127.0.0.1:"},
		{"status 600", "HTTP/1.1 600 Beyond\r\nContent-Length: 0\r\n\r\n",
			HTTPStatus, false, "HTTP 600 from http://127.0.0.1:"},
		{"status 599", "HTTP/1.1 599 Network Connect Timeout\r\nContent-Length: 0\r\n\r\n",
			ServerError, true, "HTTP 599 from 127.0.0.1:"},
		{"status 101", "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n",
			HTTPStatus, false, "HTTP 101 Switching Protocols from http://127.0.0.1:"},
		{"status 204", "HTTP/1.1 204 No Content\r\n\r\n",
			HTTPStatus, false, "HTTP 204 No Content from http://127.0.0.1:"},
		{"status 499", "HTTP/1.1 499 Client Closed\r\nContent-Length: 0\r\n\r\n",
			HTTPStatus, false, "HTTP 499 from http://127.0.0.1:"},
		{"four-digit status", "HTTP/1.1 1000 Huge\r\nContent-Length: 0\r\n\r\n",
			BadResponse, false, "does not answer in HTTP (malformed HTTP status code \"1000\")"},
		{"endless 1xx", strings.Repeat("HTTP/1.1 103 Early Hints\r\n\r\n", 3000),
			BadResponse, false, "does not answer in HTTP (server response headers exceeded 65536 bytes"},
		{"headers over 64 KiB", "HTTP/1.1 200 OK\r\nX-Pad: " + strings.Repeat("x", 70<<10) + "\r\n\r\n",
			BadResponse, false, "does not answer in HTTP"},
		{"not HTTP at all", "SSH-2.0-OpenSSH_9.2\r\n\r\n",
			BadResponse, false, "does not answer in HTTP"},
		{"malformed Digest challenge", "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"x\r\nContent-Length: 0\r\n\r\n",
			BadChallenge, false, `sent a Digest challenge that cannot be used (invalid challenge: EOF): WWW-Authenticate: Digest realm="x`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := fetchErr(t, client(t, rawServer(t, c.reply)))
			if e.Kind != c.kind || e.Unreachable() != c.unreachable || !strings.Contains(e.Error(), c.msg) {
				t.Errorf("got kind %d unreachable %v %q;\nwant kind %d unreachable %v containing %q", e.Kind, e.Unreachable(), e, c.kind, c.unreachable, c.msg)
			}
		})
	}
}

// TestServerThatSpeaksFirst: an SSH daemon (or any banner protocol) on the
// port writes before it reads. Depending on when the banner arrives the
// HTTP transport sees it as the answer or as unsolicited data on an idle
// connection; either way the endpoint does not answer in HTTP, which is
// not an outage, and no formatting debris reaches the operator.
func TestServerThatSpeaksFirst(t *testing.T) {
	addr := rawserver.Start(t, func(conn net.Conn) {
		_, _ = io.WriteString(conn, "SSH-2.0-OpenSSH_9.2\r\n")
		_, _ = io.Copy(io.Discard, conn)
	})
	for i := 0; i < 50; i++ {
		e := fetchErr(t, client(t, "http://"+addr+"/status"))
		if e.Kind != BadResponse || e.Unreachable() || !strings.Contains(e.Error(), "does not answer in HTTP") || strings.Contains(e.Error(), "%!") {
			t.Fatalf("try %d: got kind %d unreachable %v %q; want BadResponse saying it does not answer in HTTP", i, e.Kind, e.Unreachable(), e)
		}
	}
}
