package itgrix

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestProxy: a request goes through the proxy Proxy chooses, a failure
// there names the proxy (host and port only, never its credentials), and
// a nil Proxy (--no-proxy) connects directly.
func TestProxy(t *testing.T) {
	pbx := server(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"app_status":"Ok"}`)) })
	var proxied []string
	// A forward proxy: it gets the absolute URL and passes it on.
	fwd := server(t, func(w http.ResponseWriter, r *http.Request) {
		proxied = append(proxied, r.URL.String())
		res, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		w.WriteHeader(res.StatusCode)
		buf := make([]byte, 1<<16)
		n, _ := res.Body.Read(buf)
		_, _ = w.Write(buf[:n])
	})
	through := func(raw string) func(*url.URL) (*url.URL, error) {
		return func(*url.URL) (*url.URL, error) { return url.Parse(raw) }
	}

	c := client(t, pbx.URL+"/status")
	c.Proxy = through(fwd.URL)
	if body, err := c.Fetch(context.Background()); err != nil || !strings.Contains(string(body), "Ok") || len(proxied) != 1 {
		t.Errorf("through a proxy: %q %v, proxy saw %v", body, err, proxied)
	}

	c.Proxy = nil
	if _, err := c.Fetch(context.Background()); err != nil || len(proxied) != 1 {
		t.Errorf("without a proxy: %v, proxy saw %v", err, proxied)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	c.Proxy = through("http://user:" + testPassword + "@" + dead)
	e := fetchErr(t, c)
	if e.Kind != Refused || !strings.HasPrefix(e.Error(), "connection refused by proxy "+dead+" ") || strings.Contains(e.Error(), pbx.Listener.Addr().String()) {
		t.Errorf("dead proxy: %v %q", e.Kind, e.Error())
	}

	// A proxy that answers 502 for the PBX: the status names both.
	bad := server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	c.Proxy = through(bad.URL)
	e = fetchErr(t, c)
	if e.Kind != ServerError || !strings.HasSuffix(e.Error(), " through proxy "+bad.Listener.Addr().String()) {
		t.Errorf("502 through a proxy: %v %q", e.Kind, e.Error())
	}
}

func TestAddressFamily(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{}`)) })
	c := client(t, srv.URL+"/status") // 127.0.0.1
	c.Network = "tcp4"
	if _, err := c.Fetch(context.Background()); err != nil {
		t.Errorf("tcp4 to 127.0.0.1: %v", err)
	}
	c.Network = "tcp6"
	if e := fetchErr(t, c); !e.Unreachable() {
		t.Errorf("tcp6 to 127.0.0.1: %v %q", e.Kind, e.Error())
	}
}

// TestProxyErrorTold: a proxy variable that names no proxy comes out of
// Fetch as the *ProxyError itself, not as a failure to reach the PBX, and
// no connection is tried.
func TestProxyErrorTold(t *testing.T) {
	c := client(t, "http://192.0.2.7:8077/status")
	c.Proxy = ProxyFromEnv(func(k string) string {
		if k == "HTTP_PROXY" {
			return "http://[bad"
		}
		return ""
	})
	_, err := c.Fetch(context.Background())
	bad, ok := err.(*ProxyError)
	if !ok || bad.Var != "HTTP_PROXY" {
		t.Fatalf("Fetch: %T %v, want the *ProxyError for HTTP_PROXY", err, err)
	}
}
