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
	"check-itgrix/internal/secret"
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
// for line 1 of the plugin output: short, actionable, free of credentials.
type Error struct {
	Kind Kind
	Msg  string
	Err  error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

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
	// Redact masks the secrets in text from outside (the URL, a proxy's
	// name, header values, transport errors) as it enters a message; nil
	// masks Password alone. The message's own words are never masked.
	Redact func(string) string
}

// Fetch returns the body of the status document. The whole exchange (both
// legs of Digest, reading the body) is bound by one deadline. An *Error's
// message never holds the password: the URL, header values and transport
// errors it quotes are redacted as they enter it, before they are
// shortened; its own words stay whole whatever the password.
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
		return nil, &Error{Kind: HTTPStatus, Msg: "bad URL: " + c.redact(err.Error()), Err: err}
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
			e.Msg += " through proxy " + c.redact(via.Host)
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

// hostPort is the host and port the request goes to, redacted for a
// message.
func (c *Client) hostPort() string {
	hp := c.URL.Host
	switch {
	case c.URL.Port() != "":
	case c.URL.Scheme == "https":
		hp += ":443"
	default:
		hp += ":80"
	}
	return c.redact(hp)
}

// shownURL is the status URL, redacted for a message.
func (c *Client) shownURL() string { return c.redact(c.URL.Redacted()) }

// redact masks the secrets in text from outside; see Client.Redact.
func (c *Client) redact(s string) string {
	if c.Redact != nil {
		return c.Redact(s)
	}
	return secret.Scrub(s, c.Password)
}

func (c *Client) tooLarge() error {
	return &Error{Kind: TooLarge, Msg: fmt.Sprintf("response from %s is larger than %d MiB: not a status document, refused", c.hostPort(), MaxBody>>20)}
}

// statusError sorts a non-200 answer onto its row of the failure table:
// 401, 404, a redirect (a 3xx naming a Location), 5xx (unreachable), and
// everything else (1xx, other 2xx, 3xx without a Location, 4xx, and codes
// outside 100-599 such as 999) as "other HTTP status".
func (c *Client) statusError(res *http.Response) error {
	code := fmt.Sprintf("HTTP %d", res.StatusCode)
	if t := http.StatusText(res.StatusCode); t != "" {
		code += " " + t
	}
	switch {
	case res.StatusCode == http.StatusUnauthorized:
		if _, err := digest.FindChallenge(res.Header); err != nil {
			return &Error{Kind: NoDigest, Msg: fmt.Sprintf("%s offers no supported Digest challenge (WWW-Authenticate: %s)",
				c.hostPort(), shortHeader(c.scrubAll(res.Header.Values("WWW-Authenticate"))))}
		}
		return &Error{Kind: AuthFailed, Msg: "authentication failed, check login and password (" + code + " after Digest exchange)"}
	case res.StatusCode == http.StatusNotFound:
		return &Error{Kind: NotFound, Msg: fmt.Sprintf("no /status endpoint at %s (%s): needs %s", c.shownURL(), code, Requires)}
	case res.StatusCode >= 300 && res.StatusCode < 400 && len(res.Header.Values("Location")) > 0:
		return &Error{Kind: HTTPStatus, Msg: fmt.Sprintf("%s redirects to %s (%s): point --url at the status endpoint itself",
			c.shownURL(), shortHeader(c.scrubAll(res.Header.Values("Location"))), code)}
	case res.StatusCode >= 500 && res.StatusCode < 600:
		return &Error{Kind: ServerError, Msg: fmt.Sprintf("%s from %s", code, c.hostPort())}
	}
	return &Error{Kind: HTTPStatus, Msg: fmt.Sprintf("%s from %s: not the status endpoint's answer", code, c.shownURL())}
}

// scrubAll redacts server-supplied header values before shortHeader cuts
// them, so a cut cannot leave a prefix of the password behind.
func (c *Client) scrubAll(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = c.redact(v)
	}
	return out
}

func shortHeader(values []string) string {
	if len(values) == 0 {
		return "none"
	}
	v := strings.Join(values, ", ")
	if len(v) > 80 {
		v = v[:80] + "..."
	}
	return v
}

// transportError sorts a failed exchange; challenge is the last 401's
// WWW-Authenticate, named when the Digest transport could not use it.
func (c *Client) transportError(ctx context.Context, err error, challenge []string) error {
	// err is sorted by its own text; what a message quotes of it is
	// shown, redacted before lastPart cuts it.
	shown := scrubbedError{err, c.redact}
	hp := c.hostPort()
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var alertErr tls.AlertError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil || errors.As(err, &netErr) && netErr.Timeout():
		return &Error{Kind: Timeout, Msg: fmt.Sprintf("no answer from %s within the %s timeout", hp, check.Duration(c.Timeout)), Err: shown}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Kind: Refused, Msg: fmt.Sprintf("connection refused by %s: is Itgrix running and listening there?", hp), Err: shown}
	case errors.As(err, &dnsErr):
		return &Error{Kind: DNS, Msg: fmt.Sprintf("cannot resolve host %q: %s", c.redact(c.URL.Hostname()), dnsErr.Err), Err: shown}
	case errors.As(err, &certErr):
		return &Error{Kind: TLS, Msg: fmt.Sprintf("TLS certificate of %s not trusted: %s (use --ca-file, or -k to skip verification)", hp, lastPart(scrubbedError{certErr.Err, c.redact})), Err: shown}
	case errors.As(err, &recErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return &Error{Kind: TLS, Msg: fmt.Sprintf("TLS handshake with %s failed: the server does not speak TLS (drop -S, or use http:// in --url)", hp), Err: shown}
	case errors.As(err, &alertErr) || strings.Contains(err.Error(), "tls:"):
		return &Error{Kind: TLS, Msg: fmt.Sprintf("TLS handshake with %s failed: %s", hp, lastPart(shown)), Err: shown}
	case strings.Contains(err.Error(), "digest:"):
		return &Error{Kind: BadChallenge, Msg: fmt.Sprintf("%s sent a Digest challenge that cannot be used (%s): WWW-Authenticate: %s",
			hp, digestCause(shown), shortHeader(c.scrubAll(challenge))), Err: shown}
	case strings.Contains(err.Error(), "malformed HTTP") || strings.Contains(err.Error(), "server response headers exceeded"):
		return &Error{Kind: BadResponse, Msg: fmt.Sprintf("%s does not answer in HTTP (%s): is -p/--url the Itgrix port?", hp, lastPart(shown)), Err: shown}
	case strings.Contains(err.Error(), "transport connection broken") || strings.Contains(err.Error(), "readLoopPeekFailLocked"):
		// A server that speaks first (an SSH banner) can reach net/http as
		// unsolicited data on an idle connection rather than as a malformed
		// answer, depending only on timing; it is the same misdirected port.
		return &Error{Kind: BadResponse, Msg: fmt.Sprintf("%s does not answer in HTTP (it spoke before the request): is -p/--url the Itgrix port?", hp), Err: shown}
	}
	return &Error{Kind: Network, Msg: fmt.Sprintf("cannot reach %s: %s", hp, lastPart(shown)), Err: shown}
}

// proxyError words a transport failure on the way through a proxy. The
// connection that failed was to the proxy, so the message names the proxy
// (host and port only: a proxy URL may carry credentials) and says how to
// bypass it.
func (c *Client) proxyError(ctx context.Context, err error, via *url.URL, challenge []string) error {
	e := c.transportError(ctx, err, challenge).(*Error)
	proxy := c.redact(via.Host)
	hint := " (proxy from HTTP_PROXY/HTTPS_PROXY; NO_PROXY or --no-proxy connect directly)"
	var dnsErr *net.DNSError
	switch e.Kind {
	case Timeout:
		e.Msg = fmt.Sprintf("no answer from %s through proxy %s within the %s timeout", c.hostPort(), proxy, check.Duration(c.Timeout))
	case Refused:
		e.Msg = "connection refused by proxy " + proxy + hint
	case DNS:
		if errors.As(err, &dnsErr) {
			e.Msg = fmt.Sprintf("cannot resolve proxy host %q: %s%s", c.redact(via.Hostname()), dnsErr.Err, hint)
		}
	case Network:
		e.Msg = fmt.Sprintf("proxy %s failed: %s%s", proxy, lastPart(e.Err), hint)
	}
	// TLS and Digest failures are end to end with the PBX, through the
	// tunnel: their messages stand.
	return e
}

// digestCause is the Digest library's reason without its package prefixes:
// "invalid challenge: expected '"', got EOF".
func digestCause(err error) string {
	s := err.Error()
	if i := strings.Index(s, "digest: "); i >= 0 {
		s = s[i+len("digest: "):]
	}
	return strings.Replace(s, "param: ", "", 1)
}

// scrubbedError is a transport error whose text, which may quote the URL
// or what the server sent, is redacted before lastPart picks a piece of it.
type scrubbedError struct {
	err    error
	redact func(string) string
}

func (e scrubbedError) Error() string { return e.redact(e.err.Error()) }
func (e scrubbedError) Unwrap() error { return e.err }

// lastPart drops the `Get "URL":` and `dial tcp ...:` prefixes Go puts on
// transport errors: line 1 has room only for the cause.
func lastPart(err error) string {
	s := err.Error()
	// net/http can wrap a nil error ("%!w(<nil>)"); that debris says nothing.
	s = strings.ReplaceAll(s, ": %!w(<nil>)", "")
	if i := strings.LastIndex(s, ": "); i >= 0 && i+2 < len(s) {
		return s[i+2:]
	}
	return s
}
