package itgrix

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// TestProxyFromEnv: which proxy a status URL goes through, for each
// environment. Under CGI (REQUEST_METHOD set) the upper-case HTTP_PROXY is
// ignored and a loopback PBX is still reached directly.
func TestProxyFromEnv(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		url  string
		want string // "" = direct
	}{
		{"no proxy set", nil, "http://pbx1:8077/status", ""},
		{"HTTP_PROXY", map[string]string{"HTTP_PROXY": "http://proxy:3128"}, "http://pbx1:8077/status", "http://proxy:3128"},
		{"http_proxy", map[string]string{"http_proxy": "proxy:3128"}, "http://pbx1:8077/status", "http://proxy:3128"},
		{"upper case first", map[string]string{"HTTP_PROXY": "http://up:1", "http_proxy": "http://low:1"}, "http://pbx1:8077/status", "http://up:1"},
		{"https uses HTTPS_PROXY", map[string]string{"HTTP_PROXY": "http://p:1", "HTTPS_PROXY": "http://s:2"}, "https://pbx1:8443/status", "http://s:2"},
		{"https without HTTPS_PROXY", map[string]string{"HTTP_PROXY": "http://p:1"}, "https://pbx1/status", ""},
		{"loopback never", map[string]string{"HTTP_PROXY": "http://p:1"}, "http://127.0.0.1:8077/status", ""},
		{"loopback 127/8 never", map[string]string{"HTTP_PROXY": "http://p:1"}, "http://127.13.0.9:8077/status", ""},
		{"IPv6 loopback never", map[string]string{"HTTP_PROXY": "http://p:1"}, "http://[::1]:8077/status", ""},
		{"localhost never", map[string]string{"HTTP_PROXY": "http://p:1"}, "http://localhost:8077/status", ""},
		{"localhost. is a name", map[string]string{"HTTP_PROXY": "http://p:1"}, "http://localhost.:8077/status", "http://p:1"},
		{"CGI: HTTP_PROXY ignored", map[string]string{"REQUEST_METHOD": "GET", "HTTP_PROXY": "http://evil:1"}, "http://pbx1:8077/status", ""},
		{"CGI: loopback direct", map[string]string{"REQUEST_METHOD": "GET", "HTTP_PROXY": "http://evil:1"}, "http://127.0.0.1:8077/status", ""},
		{"CGI: http_proxy used", map[string]string{"REQUEST_METHOD": "GET", "HTTP_PROXY": "http://evil:1", "http_proxy": "http://p:1"}, "http://pbx1:8077/status", "http://p:1"},
		{"CGI: HTTPS_PROXY used", map[string]string{"REQUEST_METHOD": "GET", "HTTPS_PROXY": "http://s:1"}, "https://pbx1/status", "http://s:1"},
		{"NO_PROXY *", map[string]string{"HTTP_PROXY": "http://p:1", "NO_PROXY": "*"}, "http://pbx1:8077/status", ""},
		{"NO_PROXY domain", map[string]string{"HTTP_PROXY": "http://p:1", "NO_PROXY": "example.net"}, "http://pbx1.example.net:8077/status", ""},
		{"NO_PROXY .domain", map[string]string{"HTTP_PROXY": "http://p:1", "no_proxy": " .example.net "}, "http://example.net:8077/status", ""},
		{"NO_PROXY other domain", map[string]string{"HTTP_PROXY": "http://p:1", "NO_PROXY": "example.net"}, "http://pbx1.example.org:8077/status", "http://p:1"},
		{"NO_PROXY suffix is not a domain", map[string]string{"HTTP_PROXY": "http://p:1", "NO_PROXY": "ample.net"}, "http://pbx1.example.net:8077/status", "http://p:1"},
		{"NO_PROXY CIDR", map[string]string{"HTTP_PROXY": "http://p:1", "NO_PROXY": "10.0.0.0/8"}, "http://10.1.2.3:8077/status", ""},
		{"NO_PROXY IP", map[string]string{"HTTP_PROXY": "http://p:1", "NO_PROXY": "192.0.2.10"}, "http://192.0.2.10:8077/status", ""},
		{"NO_PROXY port matches", map[string]string{"HTTP_PROXY": "http://p:1", "NO_PROXY": "pbx1:8077"}, "http://pbx1:8077/status", ""},
		{"NO_PROXY port differs", map[string]string{"HTTP_PROXY": "http://p:1", "NO_PROXY": "pbx1:80"}, "http://pbx1:8077/status", "http://p:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, _ := url.Parse(c.url)
			got, err := ProxyFromEnv(func(k string) string { return c.env[k] })(u)
			if err != nil {
				t.Fatal(err)
			}
			shown := ""
			if got != nil {
				shown = got.String()
			}
			if shown != c.want {
				t.Errorf("proxy for %s = %q, want %q", c.url, shown, c.want)
			}
		})
	}
}

// TestProxyFromEnvRefuses: a proxy variable that names no proxy is a
// *ProxyError naming the variable, its value shown without user and
// password, and a reason that quotes none of them; one that would not be
// used (a loopback PBX, NO_PROXY, HTTP_PROXY under CGI) is not looked at.
func TestProxyFromEnvRefuses(t *testing.T) {
	const pw = "Pr0xy-Secret"
	cases := []struct {
		env         map[string]string
		url         string
		name, value string
		reason      string // "" = no error, direct
	}{
		{map[string]string{"HTTP_PROXY": "http://user:" + pw + "@[bad"}, "http://pbx1:8077/status", "HTTP_PROXY", "http://***@[bad", "not a URL"},
		{map[string]string{"http_proxy": "http://%zz"}, "http://pbx1:8077/status", "http_proxy", "http://%zz", "a bad %-escape"},
		{map[string]string{"HTTP_PROXY": "http://u:" + pw + "%zz@proxy:3128"}, "http://pbx1:8077/status", "HTTP_PROXY", "http://***@proxy:3128", "a bad %-escape"},
		// A '/' in the password ends the host: the parser would quote the rest as a port.
		{map[string]string{"HTTP_PROXY": "http://u:x/" + pw + "@proxy:3128"}, "http://pbx1:8077/status", "HTTP_PROXY", "http://***@proxy:3128", "not a URL"},
		{map[string]string{"HTTP_PROXY": "http://a b:3128"}, "http://pbx1:8077/status", "HTTP_PROXY", "http://a b:3128", "a character no host name holds"},
		{map[string]string{"HTTP_PROXY": "::::"}, "http://pbx1:8077/status", "HTTP_PROXY", "::::", "':' is not allowed in a host name (give an IP address or a DNS name; IDN names in their xn-- form)"},
		{map[string]string{"HTTP_PROXY": "http://"}, "http://pbx1:8077/status", "HTTP_PROXY", "http://", "no host"},
		{map[string]string{"HTTP_PROXY": "proxy:0"}, "http://pbx1:8077/status", "HTTP_PROXY", "proxy:0", "port must be 1-65535"},
		{map[string]string{"HTTP_PROXY": "http://proxy:99999"}, "http://pbx1:8077/status", "HTTP_PROXY", "http://proxy:99999", "port must be 1-65535"},
		{map[string]string{"HTTPS_PROXY": "socks4://proxy:1080"}, "https://pbx1/status", "HTTPS_PROXY", "socks4://proxy:1080", `scheme "socks4": http, https, socks5 or socks5h`},
		{map[string]string{"https_proxy": pw + "@http://proxy"}, "https://pbx1/status", "https_proxy", "***@http://proxy", "not a URL"},
		{map[string]string{"HTTP_PROXY": "http://[bad"}, "http://127.0.0.1:8077/status", "", "", ""},
		{map[string]string{"HTTP_PROXY": "http://[bad", "NO_PROXY": "pbx1"}, "http://pbx1:8077/status", "", "", ""},
		{map[string]string{"HTTP_PROXY": "http://[bad", "REQUEST_METHOD": "GET"}, "http://pbx1:8077/status", "", "", ""},
		{map[string]string{"HTTP_PROXY": "socks5h://proxy:1080"}, "http://pbx1:8077/status", "", "", ""},
	}
	for _, c := range cases {
		u, _ := url.Parse(c.url)
		got, err := ProxyFromEnv(func(k string) string { return c.env[k] })(u)
		if c.reason == "" {
			if err != nil {
				t.Errorf("%v for %s: %v", c.env, c.url, err)
			}
			continue
		}
		var e *ProxyError
		if !errors.As(err, &e) || got != nil {
			t.Errorf("%v: %v %v, want a *ProxyError", c.env, got, err)
			continue
		}
		if e.Var != c.name || e.Value != c.value || e.Reason.String() != c.reason {
			t.Errorf("%v: %q %q %q, want %q %q %q", c.env, e.Var, e.Value, e.Reason.String(), c.name, c.value, c.reason)
		}
		if msg := e.Error(); strings.Contains(strings.ToLower(msg), strings.ToLower(pw)) || strings.Contains(msg, "x/") {
			t.Errorf("%v: the message shows the password: %s", c.env, msg)
		}
	}
}
