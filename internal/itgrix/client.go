package itgrix

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/icholy/digest"

	"check-itgrix/internal/check"
)

// MaxBody caps the response body. The document is a few kilobytes; anything
// near this size is not an Itgrix status document, and reading it would cost
// the monitoring host memory on every check.
const MaxBody = 4 << 20

// Kind tells apart the ways a request for the status document can fail.
type Kind int

// The failure kinds. Refused through ServerError are "unreachable": the
// checks map all of them to the one --unreachable-state so an outage does
// not flap between states.
const (
	Refused      Kind = iota + 1 // nothing listens on the port
	DNS                          // the host name does not resolve
	Timeout                      // no complete answer within the deadline
	TLS                          // handshake or certificate verification failed
	Network                      // another transport failure (reset, unreachable net)
	ServerError                  // HTTP 5xx
	AuthFailed                   // HTTP 401 after the Digest exchange
	NoDigest                     // HTTP 401 without a Digest challenge we support
	BadChallenge                 // a Digest challenge we cannot parse
	NotFound                     // HTTP 404: no /status endpoint
	HTTPStatus                   // any other non-200 status, redirects included
	TooLarge                     // body over MaxBody
	BadResponse                  // an answer that is not HTTP (wrong port, broken server)
)

// Error is a failed request for the status document. Its message is meant
// for line 1 of the plugin output: short and actionable. What it repeats
// of the URL, the server's headers and the transport's error text is
// marked as outside text, so the caller scrubs that and never our words
// (see check.Message).
type Error struct {
	Kind Kind
	Msg  check.Message
	Err  error
}

func (e *Error) Error() string { return e.Msg.String() }
func (e *Error) Unwrap() error { return e.Err }

// Message tells the error's text with the outside parts marked.
func (e *Error) Message() check.Message { return e.Msg }

// Unreachable reports whether the error means the endpoint could not be
// reached or could not serve (refused, DNS, timeout, TLS, network, 5xx).
func (e *Error) Unreachable() bool { return e.Kind >= Refused && e.Kind <= ServerError }

// Invalid reports whether the endpoint answered but the answer cannot be
// used (authentication, Digest challenge, 404, other statuses, a body too
// large, an answer that is not HTTP): the checks map these to
// --invalid-state.
func (e *Error) Invalid() bool {
	switch e.Kind {
	case AuthFailed, NoDigest, BadChallenge, NotFound, HTTPStatus, TooLarge, BadResponse:
		return true
	}
	return false
}

// Client asks one Itgrix host for its status document.
type Client struct {
	// URL of the status endpoint, without credentials.
	URL      *url.URL
	Username string
	Password string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// RootCAs verifies the server instead of the system pool when set.
	RootCAs *x509.CertPool
	// Timeout bounds the whole exchange; 0 leaves it to ctx.
	Timeout time.Duration
	// Network is "tcp4" or "tcp6" to force the address family; "" lets
	// the resolver choose, as "tcp" does.
	Network string
	// Proxy chooses the proxy for the status URL (nil result: direct);
	// a nil Proxy always connects directly.
	Proxy func(*url.URL) (*url.URL, error)
}

// Fetch returns the body of the status document. The whole exchange (both
// legs of Digest, reading the body) is bound by one deadline. An *Error's
// message marks what it quotes of the URL, header values and transport
// errors as outside text, to be scrubbed before it is shortened.
func (c *Client) Fetch(ctx context.Context) ([]byte, error) {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	// via is the proxy the request went through, so a failure names it
	// rather than the PBX it never reached.
	var via *url.URL
	dialer := &net.Dialer{KeepAlive: -1}
	tr := &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) {
			if c.Proxy == nil {
				return nil, nil
			}
			u, err := c.Proxy(r.URL)
			via = u
			return u, err
		},
		// One short-lived exchange per process: TCP keep-alive probes
		// would never fire, and a compressed body would only add
		// decompression work to a document of a few KiB.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if c.Network != "" {
				network = c.Network
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxResponseHeaderBytes: 64 << 10,
		DisableCompression:     true,
	}
	if c.URL.Scheme == "https" {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: c.Insecure, RootCAs: c.RootCAs, MinVersion: tls.VersionTLS12}
	}
	defer tr.CloseIdleConnections()
	// The Digest transport is used directly, without http.Client: the
	// plugin never follows a redirect (the URL points somewhere other
	// than the endpoint, and following it would send credentials on), and
	// http.Client would parse a redirect's Location before anyone could
	// refuse it, turning an unparsable one into a transport error.
	rec := &challengeRecorder{next: tr}
	rt := &digest.Transport{Username: c.Username, Password: c.Password, Transport: rec}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL.String(), nil)
	if err != nil {
		// The command line checks the URL; this is a last resort.
		return nil, &Error{Kind: HTTPStatus, Msg: check.Say("bad URL: %s", err), Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "check-itgrix")
	res, err := rt.RoundTrip(req)
	if err == nil && isStale(res) {
		// stale=true says the credentials were right and only the nonce
		// had expired (RFC 7616 3.3). The Digest transport gives up after
		// one challenge; asking once more answers the fresh one.
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		res, err = rt.RoundTrip(req)
	}
	if err != nil {
		// A proxy variable that names no proxy is the poller's
		// configuration, not a failure to reach the PBX: it is told as
		// itself, and the caller's state for it is not the outage's.
		var bad *ProxyError
		if errors.As(err, &bad) {
			return nil, bad
		}
		if via != nil {
			return nil, c.proxyError(ctx, err, via, rec.challenge)
		}
		return nil, c.transportError(ctx, err, rec.challenge)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		err := c.statusError(res)
		var e *Error
		if via != nil && errors.As(err, &e) && e.Kind == ServerError {
			e.Msg = check.Say("%s through proxy %s", e.Msg, via.Host)
		}
		return nil, err
	}
	if res.ContentLength > MaxBody {
		return nil, c.tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, MaxBody+1))
	if err != nil {
		return nil, c.transportError(ctx, err, nil)
	}
	if len(body) > MaxBody {
		return nil, c.tooLarge()
	}
	return body, nil
}

// challengeRecorder keeps the WWW-Authenticate headers of the last 401, so
// a challenge the Digest transport cannot use is reported by its text.
type challengeRecorder struct {
	next      http.RoundTripper
	challenge []string
}

func (r *challengeRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.next.RoundTrip(req)
	if err == nil && res.StatusCode == http.StatusUnauthorized {
		r.challenge = res.Header.Values("WWW-Authenticate")
	}
	return res, err
}

func isStale(res *http.Response) bool {
	if res.StatusCode != http.StatusUnauthorized {
		return false
	}
	chal, err := digest.FindChallenge(res.Header)
	return err == nil && chal.Stale
}

// hostPort is the host and port the request goes to.
func (c *Client) hostPort() string {
	hp := c.URL.Host
	switch {
	case c.URL.Port() != "":
	case c.URL.Scheme == "https":
		hp += ":443"
	default:
		hp += ":80"
	}
	return hp
}

// shownURL is the status URL as a message names it.
func (c *Client) shownURL() string { return c.URL.Redacted() }

func (c *Client) tooLarge() error {
	return &Error{Kind: TooLarge, Msg: check.Say("response from %s is larger than %d MiB: not a status document, refused", c.hostPort(), MaxBody>>20)}
}

// statusError sorts a non-200 answer onto its row of the failure table:
// 401, 404, a redirect (a 3xx naming a Location), 5xx (unreachable), and
// everything else (1xx, other 2xx, 3xx without a Location, 4xx, and codes
// outside 100-599 such as 999) as "other HTTP status".
func (c *Client) statusError(res *http.Response) error {
	code := check.Ours(fmt.Sprintf("HTTP %d", res.StatusCode))
	if t := http.StatusText(res.StatusCode); t != "" {
		code += check.Ours(" " + t)
	}
	switch {
	case res.StatusCode == http.StatusUnauthorized:
		if _, err := digest.FindChallenge(res.Header); err != nil {
			return &Error{Kind: NoDigest, Msg: check.Say("%s offers no supported Digest challenge (WWW-Authenticate: %s)",
				c.hostPort(), header(res.Header.Values("WWW-Authenticate")))}
		}
		return &Error{Kind: AuthFailed, Msg: check.Say("authentication failed, check login and password (%s after Digest exchange)", code)}
	case res.StatusCode == http.StatusNotFound:
		return &Error{Kind: NotFound, Msg: check.Say("no /status endpoint at %s (%s): needs %s", c.shownURL(), code, check.Ours(Requires))}
	case res.StatusCode >= 300 && res.StatusCode < 400 && len(res.Header.Values("Location")) > 0:
		return &Error{Kind: HTTPStatus, Msg: check.Say("%s redirects to %s (%s): point --url at the status endpoint itself",
			c.shownURL(), header(res.Header.Values("Location")), code)}
	case res.StatusCode >= 500 && res.StatusCode < 600:
		return &Error{Kind: ServerError, Msg: check.Say("%s from %s", code, c.hostPort())}
	}
	return &Error{Kind: HTTPStatus, Msg: check.Say("%s from %s: not the status endpoint's answer", code, c.shownURL())}
}

// header is a header's values for a message: server text, cut to 80
// bytes once scrubbed, so a cut cannot leave a prefix of the password
// behind.
func header(values []string) any {
	if len(values) == 0 {
		return check.Ours("none")
	}
	return check.Shaped(strings.Join(values, ", "), func(v string) string {
		if len(v) > 80 {
			v = v[:80] + "..."
		}
		return v
	})
}

// transportError sorts a failed exchange; challenge is the last 401's
// WWW-Authenticate, named when the Digest transport could not use it.
func (c *Client) transportError(ctx context.Context, err error, challenge []string) error {
	// err is sorted by its own text; what a message quotes of it is
	// outside text, scrubbed before lastPart cuts it.
	hp := c.hostPort()
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var alertErr tls.AlertError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil || errors.As(err, &netErr) && netErr.Timeout():
		return &Error{Kind: Timeout, Msg: check.Say("no answer from %s within the %s timeout", hp, check.Ours(check.Duration(c.Timeout))), Err: err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Kind: Refused, Msg: check.Say("connection refused by %s: is Itgrix running and listening there?", hp), Err: err}
	case errors.As(err, &dnsErr):
		// The resolver's reason is its own fixed words ("no such host").
		return &Error{Kind: DNS, Msg: check.Say("cannot resolve host %q: %s", c.URL.Hostname(), check.Ours(dnsErr.Err)), Err: err}
	case errors.As(err, &certErr):
		return &Error{Kind: TLS, Msg: check.Say("TLS certificate of %s not trusted: %s (use --ca-file, or -k to skip verification)", hp, check.Shaped(certErr.Err.Error(), lastPart)), Err: err}
	case errors.As(err, &recErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return &Error{Kind: TLS, Msg: check.Say("TLS handshake with %s failed: the server does not speak TLS (drop -S, or use http:// in --url)", hp), Err: err}
	case errors.As(err, &alertErr) || strings.Contains(err.Error(), "tls:"):
		return &Error{Kind: TLS, Msg: check.Say("TLS handshake with %s failed: %s", hp, check.Shaped(err.Error(), lastPart)), Err: err}
	case strings.Contains(err.Error(), "digest:"):
		return &Error{Kind: BadChallenge, Msg: check.Say("%s sent a Digest challenge that cannot be used (%s): WWW-Authenticate: %s",
			hp, check.Shaped(err.Error(), digestCause), header(challenge)), Err: err}
	case strings.Contains(err.Error(), "malformed HTTP") || strings.Contains(err.Error(), "server response headers exceeded"):
		return &Error{Kind: BadResponse, Msg: check.Say("%s does not answer in HTTP (%s): is -p/--url the Itgrix port?", hp, check.Shaped(err.Error(), lastPart)), Err: err}
	case strings.Contains(err.Error(), "transport connection broken") || strings.Contains(err.Error(), "readLoopPeekFailLocked"):
		// A server that speaks first (an SSH banner) can reach net/http as
		// unsolicited data on an idle connection rather than as a malformed
		// answer, depending only on timing; it is the same misdirected port.
		return &Error{Kind: BadResponse, Msg: check.Say("%s does not answer in HTTP (it spoke before the request): is -p/--url the Itgrix port?", hp), Err: err}
	}
	return &Error{Kind: Network, Msg: check.Say("cannot reach %s: %s", hp, check.Shaped(err.Error(), lastPart)), Err: err}
}

// proxyError words a transport failure on the way through a proxy. The
// connection that failed was to the proxy, so the message names the proxy
// (host and port only: a proxy URL may carry credentials) and says how to
// bypass it.
func (c *Client) proxyError(ctx context.Context, err error, via *url.URL, challenge []string) error {
	e := c.transportError(ctx, err, challenge).(*Error)
	proxy := via.Host
	const hint = check.Ours(" (proxy from HTTP_PROXY/HTTPS_PROXY; NO_PROXY or --no-proxy connect directly)")
	var dnsErr *net.DNSError
	switch e.Kind {
	case Timeout:
		e.Msg = check.Say("no answer from %s through proxy %s within the %s timeout", c.hostPort(), proxy, check.Ours(check.Duration(c.Timeout)))
	case Refused:
		e.Msg = check.Say("connection refused by proxy %s%s", proxy, hint)
	case DNS:
		if errors.As(err, &dnsErr) {
			e.Msg = check.Say("cannot resolve proxy host %q: %s%s", via.Hostname(), check.Ours(dnsErr.Err), hint)
		}
	case Network:
		e.Msg = check.Say("proxy %s failed: %s%s", proxy, check.Shaped(err.Error(), lastPart), hint)
	}
	// TLS and Digest failures are end to end with the PBX, through the
	// tunnel: their messages stand.
	return e
}

// digestCause is the Digest library's reason without its package prefixes:
// "invalid challenge: expected '"', got EOF".
func digestCause(s string) string {
	if i := strings.Index(s, "digest: "); i >= 0 {
		s = s[i+len("digest: "):]
	}
	return strings.Replace(s, "param: ", "", 1)
}

// lastPart drops the `Get "URL":` and `dial tcp ...:` prefixes Go puts on
// transport errors' text: line 1 has room only for the cause.
func lastPart(s string) string {
	// net/http can wrap a nil error ("%!w(<nil>)"); that debris says nothing.
	s = strings.ReplaceAll(s, ": %!w(<nil>)", "")
	if i := strings.LastIndex(s, ": "); i >= 0 && i+2 < len(s) {
		return s[i+2:]
	}
	return s
}
