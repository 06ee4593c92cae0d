package itgrix

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
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
	either := func(upper, lower string) string {
		if v := getenv(upper); v != "" {
			return v
		}
		return getenv(lower)
	}
	httpProxy, httpsProxy := either("HTTP_PROXY", "http_proxy"), either("HTTPS_PROXY", "https_proxy")
	if getenv("REQUEST_METHOD") != "" {
		httpProxy = getenv("http_proxy")
	}
	noProxy := either("NO_PROXY", "no_proxy")
	return func(u *url.URL) (*url.URL, error) {
		proxy := httpProxy
		if u.Scheme == "https" {
			proxy = httpsProxy
		}
		if proxy == "" || !useProxy(u, noProxy) {
			return nil, nil
		}
		return parseProxy(proxy)
	}
}

// parseProxy reads a proxy variable; a bare "host:port" means http.
func parseProxy(proxy string) (*url.URL, error) {
	u, err := url.Parse(proxy)
	if err != nil || u.Scheme == "" || u.Host == "" {
		if u2, err2 := url.Parse("http://" + proxy); err2 == nil {
			return u2, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("invalid proxy address: %w", err)
	}
	return u, nil
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
