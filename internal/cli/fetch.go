package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
)

// fetchAndEvaluate turns the checked command line into a document (from a
// server or a file), evaluates it, and adds what every check reports: the
// `time` metric and, with -v, where the document came from. Every message
// is a check.Message whose outside parts (the server's text, the user's
// file names and URL) are scrubbed as it is shown (see shown); the
// messages' own words never are. One -t budget covers everything after
// the command line is checked: reading --password-file, --ca-file and
// --status-file, and the whole HTTP exchange. The time metric is always
// measured on the real clock, whatever --now says.
func fetchAndEvaluate(o *options, env Env, run checked) check.Result {
	start := env.Now()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	body, source, err := o.document(ctx, env, run.request)
	elapsed := env.Now().Sub(start)
	var result check.Result
	var fetchErr *itgrix.Error
	var big *tooLargeError
	switch {
	case errors.As(err, &big):
		result = check.Fail(o.invalid, o.shown(big))
	case errors.As(err, &fetchErr) && fetchErr.Unreachable():
		result = check.Fail(o.unreachable, o.shown(fetchErr))
	case errors.As(err, &fetchErr) && fetchErr.Invalid():
		result = check.Fail(o.invalid, o.shown(fetchErr))
	case err != nil:
		// The command line was fine, a file was not (or a bug).
		result = check.Fail(check.Unknown, o.shown(err))
	default:
		status, perr := itgrix.Parse(body)
		var docErr *itgrix.DocumentError
		switch {
		case perr != nil:
			state := check.Unknown
			if errors.As(perr, &docErr) {
				state = o.invalid
			}
			result = check.Fail(state, o.shown(check.Errorf("invalid status document from %s: %w", source, perr)))
		default:
			result = evaluateScrubbed(run.evaluate, status, run.evalNow(), o.scrub)
		}
	}
	result.Perf = append(result.Perf, check.Perf{
		Label: "time", Value: roundSeconds(elapsed), UOM: "s", Min: "0",
	})
	if o.verbose > 0 {
		took := check.Ours(check.Duration(elapsed.Round(time.Microsecond)))
		info := check.Say("document: %s, %d bytes in %s", source, len(body), took)
		if err != nil {
			info = check.Say("document: %s, failed after %s", source, took)
		}
		result.Long = append(result.Long, info.Text(o.scrub.Scrub))
		if run.request != nil {
			result.Long = append(result.Long, check.Say("address: %s", o.address).Text(o.scrub.Scrub))
		}
	}
	return result
}

func roundSeconds(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1e6
}

// document returns the status document's body and says where it came from:
// --status-file, or the server once the password and CA files are read.
// req is nil with --status-file.
func (o *options) document(ctx context.Context, env Env, req *request) ([]byte, check.Message, error) {
	timeout := check.Duration(o.timeout)
	if req == nil {
		source := check.Say("--status-file %s", o.statusFile)
		body, err := readStatusFile(ctx, o.statusFile, source, env.Stdin, itgrix.MaxBody, timeout)
		return body, source, err
	}
	source := check.Say("%s", req.url.Redacted())
	password, err := o.resolvePassword(ctx, env)
	if err != nil {
		return nil, source, err
	}
	var roots *x509.CertPool
	if o.caFile != "" {
		pem, err := readCAFile(ctx, o.caFile, env.Stdin, timeout)
		if err != nil {
			return nil, source, err
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, source, inputErrorf("--ca-file %s holds no PEM certificate", o.caFile)
		}
	}
	client := &itgrix.Client{
		URL: req.url, Username: req.username, Password: password,
		Insecure: o.insecure, RootCAs: roots, Timeout: o.timeout,
		Network: req.network, Proxy: req.proxy,
	}
	body, err := client.Fetch(ctx)
	return body, source, err
}

// request is a checked request: everything the client needs but what
// files hold (the password of --password-file, the CA bundle), which are
// read inside the -t budget. The client is built from it in one step.
type request struct {
	url      *url.URL
	username string
	// network is "tcp4", "tcp6" or "" (either).
	network string
	// proxy is nil with --no-proxy.
	proxy func(*url.URL) (*url.URL, error)
}

// request checks the command line's request options (URL, login, where
// the password comes from) without reading any file; nil means
// --status-file.
func (o *options) request(env Env) (*request, error) {
	if o.statusFile != "" {
		return nil, nil
	}
	u, err := o.statusURL()
	if err != nil {
		return nil, err
	}
	r := &request{url: u}
	switch {
	case o.ipv4 && o.ipv6:
		return nil, check.Errorf("give -4/--ipv4 or -6/--ipv6, not both")
	case o.ipv4:
		r.network = "tcp4"
	case o.ipv6:
		r.network = "tcp6"
	}
	if !o.noProxy {
		r.proxy = itgrix.ProxyFromEnv(env.Getenv)
	}
	r.username = o.username
	if r.username == "" {
		r.username = env.Getenv("ITGRIX_USERNAME")
	}
	if r.username == "" {
		return nil, check.Errorf("no login: set -u/--username or $ITGRIX_USERNAME")
	}
	if o.password == "" && o.passwordFile == "" && env.Getenv("ITGRIX_PASSWORD") == "" {
		// As with the login: an empty password can only fail, and would
		// read as a wrong one ("authentication failed") after two requests.
		return nil, check.Errorf("no password: set --password-file, $ITGRIX_PASSWORD or -P/--password (or password= in an --extra-opts section)")
	}
	if o.password != "" && o.passwordFile != "" {
		return nil, check.Errorf("give the password once: -P/--password or --password-file, not both")
	}
	return r, nil
}

// statusURL builds the status URL from -H/-p/-S or checks --url. Every
// host and port a request could not be sent to is refused here as a usage
// error, so a typo never looks like an outage.
func (o *options) statusURL() (*url.URL, error) {
	if o.url == "" {
		if o.hostname == "" {
			return nil, check.Errorf("empty --hostname")
		}
		if o.port == 0 {
			return nil, check.Errorf("--port must be 1-65535")
		}
		scheme := "http"
		if o.tls {
			scheme = "https"
		}
		host := strings.TrimSuffix(strings.TrimPrefix(o.hostname, "["), "]")
		if strings.Contains(o.hostname, "://") || strings.Contains(o.hostname, "/") {
			return nil, check.Errorf("-H %q: give a host name or address; a whole URL goes in --url", o.hostname)
		}
		if strings.Contains(host, ":") && !isIPv6(host) {
			return nil, check.Errorf("-H %q: give the port with -p, or the whole address with --url", o.hostname)
		}
		if err := itgrix.CheckHost(host); err != nil {
			return nil, check.Errorf("-H %q: %w", o.hostname, err)
		}
		return &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(int(o.port))), Path: "/status"}, nil
	}
	u, err := url.Parse(o.url)
	if err != nil {
		return nil, check.Errorf("--url is not a URL: %s", errors.Unwrap(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, check.Errorf("--url must be http(s)://HOST[:PORT]/status, got %q", u.Redacted())
	}
	if u.User != nil {
		return nil, check.Errorf("--url must not carry credentials: use -u and --password-file")
	}
	if err := itgrix.CheckHost(u.Hostname()); err != nil {
		return nil, check.Errorf("--url %q: %w", u.Redacted(), err)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, check.Errorf("--url %q: port must be 1-65535, got %q", u.Redacted(), p)
		}
	}
	return u, nil
}

// isIPv6 accepts an IPv6 address, with a zone (fe80::1%eth0) too.
func isIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6()
}
