package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
)

// fetchAndEvaluate turns the parsed options into a document (from a server
// or a file), evaluates it, and adds what every check reports: the `time`
// metric and, with -v, where the document came from.
func fetchAndEvaluate(o *options, env Env, evaluate Evaluator, password string) check.Result {
	start := env.Now()
	body, source, err := o.document(env, password)
	elapsed := env.Now().Sub(start)
	source = o.scrub.Scrub(source)
	var result check.Result
	var fetchErr *itgrix.Error
	switch {
	case errors.As(err, &fetchErr) && fetchErr.Unreachable():
		result = check.Fail(o.unreachable, o.scrub.Scrub(fetchErr.Msg))
	case errors.As(err, &fetchErr):
		result = check.Fail(check.Unknown, o.scrub.Scrub(fetchErr.Msg))
	case err != nil:
		return usageError(err, o.scrub)
	default:
		status, perr := itgrix.Parse(body)
		if perr != nil {
			result = check.Fail(check.Unknown, "invalid status document from "+source+": "+o.scrub.Scrub(perr.Error()))
		} else {
			result = evaluateScrubbed(evaluate, status, env.Now(), o.scrub)
		}
	}
	result.Perf = append(result.Perf, check.Perf{
		Label: "time", Value: roundSeconds(elapsed), UOM: "s", Min: "0",
	})
	if o.verbose > 0 {
		info := fmt.Sprintf("document: %s, %d bytes in %s", source, len(body), elapsed.Round(time.Microsecond))
		if err != nil {
			info = fmt.Sprintf("document: %s, failed after %s", source, elapsed.Round(time.Microsecond))
		}
		result.Long = append(result.Long, info)
	}
	return result
}

func roundSeconds(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1e6
}

// document returns the status document's body and says where it came from.
// Errors that are not *itgrix.Error are usage errors.
func (o *options) document(env Env, password string) ([]byte, string, error) {
	if o.statusFile != "" {
		body, err := readStatusFile(o.statusFile, env.Stdin)
		return body, "--status-file " + o.statusFile, err
	}
	client, err := o.client(env, password)
	if err != nil {
		return nil, "", err
	}
	body, err := client.Fetch(context.Background())
	return body, client.URL.Redacted(), err
}

func readStatusFile(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("cannot read --status-file: %w", unwrapPath(err))
		}
		defer f.Close()
		r = f
	}
	body, err := io.ReadAll(io.LimitReader(r, itgrix.MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read --status-file %s: %w", name, unwrapPath(err))
	}
	if len(body) > itgrix.MaxBody {
		return nil, fmt.Errorf("--status-file %s is larger than %d MiB", name, itgrix.MaxBody>>20)
	}
	return body, nil
}

// unwrapPath keeps "open FILE: no such file or directory" short and plain.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

func (o *options) client(env Env, password string) (*itgrix.Client, error) {
	u, err := o.statusURL()
	if err != nil {
		return nil, err
	}
	c := &itgrix.Client{URL: u, Password: password, Insecure: o.insecure, Timeout: o.timeout}
	c.Username = o.username
	if c.Username == "" {
		c.Username = env.Getenv("ITGRIX_USERNAME")
	}
	if c.Username == "" {
		return nil, errors.New("no login: set -u/--username or $ITGRIX_USERNAME")
	}
	if o.caFile != "" {
		pem, err := os.ReadFile(o.caFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read --ca-file: %w", unwrapPath(err))
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-file %s holds no PEM certificate", o.caFile)
		}
	}
	return c, nil
}

func readPasswordFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", fmt.Errorf("cannot read --password-file: %w", unwrapPath(err))
	}
	defer f.Close()
	// The first line is all we use; a password file is never large.
	data, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", fmt.Errorf("cannot read --password-file %s: %w", name, unwrapPath(err))
	}
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("--password-file %s is empty", name)
	}
	return line, nil
}

func (o *options) statusURL() (*url.URL, error) {
	if o.url == "" {
		if o.hostname == "" {
			return nil, errors.New("empty --hostname")
		}
		if o.port == 0 {
			return nil, errors.New("--port must be 1-65535")
		}
		scheme := "http"
		if o.tls {
			scheme = "https"
		}
		host := strings.Trim(o.hostname, "[]")
		if strings.Contains(host, ":") && net.ParseIP(host) == nil {
			return nil, fmt.Errorf("-H %q: give the port with -p, or the whole address with --url", o.scrub.Scrub(o.hostname))
		}
		return &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(int(o.port))), Path: "/status"}, nil
	}
	u, err := url.Parse(o.url)
	if err != nil {
		return nil, fmt.Errorf("--url is not a URL: %s", o.scrub.Scrub(errors.Unwrap(err).Error()))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("--url must be http(s)://HOST[:PORT]/status, got %q", o.scrub.Scrub(u.Redacted()))
	}
	if u.User != nil {
		return nil, errors.New("--url must not carry credentials: use -u and --password-file")
	}
	return u, nil
}
