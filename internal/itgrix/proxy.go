package itgrix

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"check-itgrix/internal/check"
)

// ProxyFromEnv chooses a proxy for the status URL from the environment
// getenv reads, as curl and Go do: HTTPS_PROXY (or https_proxy) for https,
// HTTP_PROXY (or http_proxy) for http, NO_PROXY (or no_proxy) for the
// exceptions, and loopback addresses and "localhost" never proxied.
//
// A check can be started with REQUEST_METHOD in its environment (by an
// engine or a wrapper started from a web server's CGI). There HTTP_PROXY
// may be a request's "Proxy:" header (httpoxy), so only the lower-case
// http_proxy, which no header can set, chooses a proxy for http. Go's own
// http.ProxyFromEnvironment refuses every http request there instead, a
// loopback PBX's too, before its exceptions are looked at.
func ProxyFromEnv(getenv func(string) string) func(*url.URL) (*url.URL, error) {
	// either is the variable that counts, and its value.
	either := func(upper, lower string) (string, string) {
		if v := getenv(upper); v != "" {
			return upper, v
		}
		return lower, getenv(lower)
	}
	httpVar, httpProxy := either("HTTP_PROXY", "http_proxy")
	httpsVar, httpsProxy := either("HTTPS_PROXY", "https_proxy")
	if getenv("REQUEST_METHOD") != "" {
		httpVar, httpProxy = "http_proxy", getenv("http_proxy")
	}
	_, noProxy := either("NO_PROXY", "no_proxy")
	return func(u *url.URL) (*url.URL, error) {
		name, proxy := httpVar, httpProxy
		if u.Scheme == "https" {
			name, proxy = httpsVar, httpsProxy
		}
		if proxy == "" || !useProxy(u, noProxy) {
			return nil, nil
		}
		p, reason, bad := parseProxy(proxy)
		if bad {
			return nil, &ProxyError{Var: name, Value: withoutUserinfo(proxy), Reason: reason}
		}
		return p, nil
	}
}

// ProxyError is a proxy variable whose value names no proxy: the poller's
// configuration, not an outage of the PBX.
type ProxyError struct {
	// Var is the variable read: HTTP_PROXY, http_proxy, HTTPS_PROXY or
	// https_proxy.
	Var string
	// Value is its value with the user and password masked.
	Value string
	// Reason says what is wrong; it quotes nothing of the user
	// information (a password may be in it where the URL is broken), and
	// what it quotes of the rest (the scheme, a host's character) is
	// outside text.
	Reason check.Message
}

func (e *ProxyError) Error() string { return e.Message().String() }

// Message names the variable in our words; its value is outside text,
// scrubbed as it is shown, and the reason quotes none of it.
func (e *ProxyError) Message() check.Message {
	return check.Say("%s %q is not a proxy address: %s; fix or unset it, or give --no-proxy", check.Ours(e.Var), e.Value, e.Reason)
}

// parseProxy reads a proxy variable as curl does: a URL of a scheme the
// transport speaks, or a bare "host[:port]", which means http. bad says
// it names none, and reason why.
func parseProxy(proxy string) (u *url.URL, reason check.Message, bad bool) {
	s := proxy
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	var esc url.EscapeError
	var host url.InvalidHostError
	switch {
	case errors.As(err, &esc):
		return nil, check.Say("a bad %%-escape"), true
	case errors.As(err, &host):
		return nil, check.Say("a character no host name holds"), true
	case err != nil:
		// The parser's other reasons are untyped, and some quote the
		// value (a port: the password, where a '/' in it ended the host).
		return nil, check.Say("not a URL"), true
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, check.Say("scheme %q: http, https, socks5 or socks5h", u.Scheme), true
	}
	if err := CheckHost(u.Hostname()); err != nil {
		return nil, check.Say("%s", err), true
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, check.Say("port must be 1-65535"), true
		}
	}
	return u, check.Message{}, false
}

// CheckHost accepts an IP address or a DNS name (letters, digits, '-',
// '_', '.'; up to 253 characters). Anything else (a space, a '@', a
// non-ASCII name) could not be resolved or sent in a request.
func CheckHost(h string) error {
	if h == "" {
		return check.Errorf("no host")
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if len(h) > 253 {
		return check.Errorf("host name longer than 253 characters")
	}
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return check.Errorf("%s is not allowed in a host name (give an IP address or a DNS name; IDN names in their xn-- form)", strconv.QuoteRune(r))
		}
	}
	if strings.HasPrefix(h, ".") || strings.HasPrefix(h, "-") || strings.Contains(h, "..") {
		return check.Errorf("not a host name")
	}
	return nil
}

// withoutUserinfo is a proxy variable's value with what precedes its
// last '@' (user and password) masked, the scheme kept, so it can be
// shown even where it is no URL.
func withoutUserinfo(v string) string {
	at := strings.LastIndex(v, "@")
	if at < 0 {
		return v
	}
	scheme := ""
	if i := strings.Index(v[:at], "://"); i > 0 && validScheme(v[:i]) {
		scheme = v[:i+3]
	}
	return scheme + "***" + v[at:]
}

// validScheme is a URL scheme's syntax: a letter, then letters, digits,
// '+', '-' and '.'.
func validScheme(s string) bool {
	for i, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case i > 0 && ('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// useProxy reports whether a request to u goes through the proxy: not to
// loopback or localhost, and not to a host NO_PROXY names. An entry of
// NO_PROXY is "*" (nothing is proxied), an IP address, a CIDR block, or a
// domain ("example.net" and ".example.net" both match example.net and its
// subdomains), each optionally with ":PORT".
func useProxy(u *url.URL, noProxy string) bool {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	ip, ipErr := netip.ParseAddr(host)
	if host == "localhost" || ipErr == nil && ip.IsLoopback() {
		return false
	}
	for _, entry := range strings.Split(noProxy, ",") {
		entry = strings.ToLower(strings.TrimSpace(entry))
		switch {
		case entry == "":
			continue
		case entry == "*":
			return false
		}
		if p, err := netip.ParsePrefix(entry); err == nil {
			if ipErr == nil && p.Contains(ip.Unmap()) {
				return false
			}
			continue
		}
		name, entryPort := entry, ""
		if h, p, err := net.SplitHostPort(entry); err == nil {
			name, entryPort = h, p
		}
		if entryPort != "" && entryPort != port {
			continue
		}
		if a, err := netip.ParseAddr(name); err == nil {
			if ipErr == nil && a.Unmap() == ip.Unmap() {
				return false
			}
			continue
		}
		name = strings.TrimPrefix(strings.TrimPrefix(name, "*"), ".")
		if host == name || strings.HasSuffix(host, "."+name) {
			return false
		}
	}
	return true
}
