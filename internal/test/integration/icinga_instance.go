package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// This file starts Icinga 2 instances for components that run more than
// the one the icinga2 engine runs: each node has its own directories, a
// certificate from a CA made for the run, and its API on 127.0.0.1.

// icingaCA is a certificate authority made for one run.
type icingaCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
	pool *x509.CertPool
}

func newIcingaCA() (*icingaCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Icinga test CA " + randomHex(4)},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &icingaCA{cert: cert, key: key, pool: pool,
		pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// issue writes ca.crt and NAME.crt/NAME.key, as Icinga looks for them in
// DataDir/certs, for the endpoint NAME.
func (ca *icingaCA) issue(certs, name string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	for file, b := range map[string][]byte{
		"ca.crt":      ca.pem,
		name + ".crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		name + ".key": pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	} {
		if err := writeFile(filepath.Join(certs, file), string(b), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// icingaInstance is one Icinga 2 instance.
type icingaInstance struct {
	Name string // endpoint name, certificate CN
	Dir  string
	Port int // API and cluster port on 127.0.0.1
	API  *IcingaAPI
	d    *Daemon
}

// newIcingaInstance prepares a instance's directories, certificate and API client
// in dir; Start runs it.
func newIcingaInstance(dir, name string, ca *icingaCA) (*icingaInstance, error) {
	for _, d := range []string{"lib/certs", "log", "run", "cache", "spool", "zones.d"} {
		if err := mkdirAll(filepath.Join(dir, d)); err != nil {
			return nil, err
		}
	}
	if err := ca.issue(filepath.Join(dir, "lib", "certs"), name); err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	n := &icingaInstance{Name: name, Dir: dir, Port: port}
	n.API = IcingaCA{ca}.API(name, port, "test", "api-"+randomHex(8))
	return n, nil
}

// Endpoint is the node's Endpoint object; with connect, the declaring node
// connects to it (children connect to their parent, so that they are back
// at once after the reload a config sync causes).
func (n *icingaInstance) Endpoint(connect bool) string {
	if !connect {
		return fmt.Sprintf("object Endpoint %q { }\n", n.Name)
	}
	return fmt.Sprintf("object Endpoint %q { host = \"127.0.0.1\"; port = %d }\n", n.Name, n.Port)
}

// Start writes icinga2.conf (the node's own settings, then conf), gives
// the directory to the engine user and starts the daemon; it returns once
// the API answers. permissions are the API user's.
func (n *icingaInstance) Start(ctx context.Context, env *Env, conf string, permissions ...string) error {
	quoted := make([]string, len(permissions))
	for i, p := range permissions {
		quoted[i] = fmt.Sprintf("%q", p)
	}
	// A port FreePort found free may be taken before Icinga binds it (by
	// another daemon of the run, or a connection's local port): then Icinga
	// exits at once, and a new port is tried.
	for try := 1; ; try++ {
		head := fmt.Sprintf(`const PluginDir = %q
const NodeName = %q
include <itl>
include <plugins>
object FileLogger "main" { path = %q; severity = "information" }
object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = %d; accept_config = true; accept_commands = true }
object ApiUser %q { password = %q; permissions = [ %s ] }
`, env.EngineBin, n.Name, filepath.Join(n.Dir, "log", "icinga2.log"), n.Port, n.API.User, n.API.Password, strings.Join(quoted, ", "))
		if err := writeFile(filepath.Join(n.Dir, "icinga2.conf"), head+conf, 0o600); err != nil {
			return err
		}
		if err := chownTree(n.Dir, env.EngineUser, env.EngineGroup); err != nil {
			return err
		}
		var err error
		if n.d, err = StartDaemon("icinga2 "+n.Name, filepath.Join(n.Dir, "daemon.log"), nil, icingaArgv(env, n.Dir)...); err != nil {
			return err
		}
		err = n.Await(ctx, n.Name+"'s API", func() error {
			_, err := n.API.Do(ctx, "GET", "/v1/status/IcingaApplication", nil)
			return err
		})
		if err == nil {
			return nil
		}
		logs := Tail(filepath.Join(n.Dir, "daemon.log"), 20) + Tail(filepath.Join(n.Dir, "log", "icinga2.log"), 20)
		if try == 3 || n.d.Exited() == nil || !strings.Contains(logs, "Cannot bind") {
			return fmt.Errorf("%w\n%s", err, logs)
		}
		if n.Port, err = FreePort(); err != nil {
			return err
		}
		n.API.Base = fmt.Sprintf("https://127.0.0.1:%d", n.Port)
	}
}

// icingaArgv runs Icinga 2 in the foreground from dir: dir/icinga2.conf,
// and its data, log, cache, spool and run directories under dir, as the
// engine user.
func icingaArgv(env *Env, dir string) []string {
	return IcingaDaemonArgv(dir, env.EngineUser, env.EngineGroup)
}

// Await polls ready until it holds, the daemon exits or ctx ends.
func (n *icingaInstance) Await(ctx context.Context, what string, ready func() error) error {
	return Await(ctx, n.d, what, ready)
}

// Stop stops the daemon (safe on a node that never started).
func (n *icingaInstance) Stop() {
	if n != nil {
		n.d.Stop()
	}
}

var configWarning = regexp.MustCompile(`(warning|critical)/(config|Config[A-Za-z]*|ApplyRule)\b`)

// ConfigWarnings reports the configuration warnings of every load, such as
// an apply rule that matches nothing: those of the first load reach the
// console (daemon.log), those after a config sync the log too.
func (n *icingaInstance) ConfigWarnings() error {
	return logHas(configWarning, filepath.Join(n.Dir, "daemon.log"), filepath.Join(n.Dir, "log", "icinga2.log"))
}

// logHas reports the lines of the files that match re, as an error.
func logHas(re *regexp.Regexp, files ...string) error {
	var bad []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(b), "\n") {
			if re.MatchString(l) {
				bad = append(bad, l)
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d lines, e.g. %s", len(bad), bad[0])
	}
	return nil
}

// awaitResults waits until api reports, for every case, a result of a
// service matching filter that ended after since, on the host named after
// the case's scenario; it returns them with what Icinga recorded.
func awaitResults(ctx context.Context, d *Daemon, api *IcingaAPI, filter string, since float64, cases []Case) ([]Result, []icingaResult, error) {
	var out []Result
	var from []icingaResult
	err := Await(ctx, d, "every forced check in Icinga's API", func() error {
		rs, err := icingaResults(ctx, api, filter)
		if err != nil {
			return err
		}
		out, from = nil, nil
		for _, r := range rs {
			if r.End < since || len(r.Command) == 0 {
				continue
			}
			if k, ok := FindCase(cases, r.Host, checkOf(r.Command[0])); ok {
				out = append(out, r.result(k))
				from = append(from, r)
			}
		}
		if len(out) < len(cases) {
			return fmt.Errorf("%d of %d results", len(out), len(cases))
		}
		return nil
	})
	return out, from, err
}

// icingaResult is one service as an Icinga API reports it.
type icingaResult struct {
	Host, Service  string
	State          int
	Output, Source string
	Command        []string
	End            float64
	Perfdata       []string
}

// icingaResults reads the services matching filter (an Icinga filter
// expression, "" for all) and their last results from an API.
func icingaResults(ctx context.Context, api *IcingaAPI, filter string) ([]icingaResult, error) {
	q := url.Values{"attrs": {"last_check_result", "host_name", "name"}}
	if filter != "" {
		q.Set("filter", filter)
	}
	b, err := api.Do(ctx, "GET", "/v1/objects/services?"+icingaQuery(q), nil)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Results []struct {
			Attrs struct {
				HostName        string `json:"host_name"`
				Name            string `json:"name"`
				LastCheckResult *struct {
					State        float64           `json:"state"`
					Output       string            `json:"output"`
					Command      []string          `json:"command"`
					CheckSource  string            `json:"check_source"`
					ExecutionEnd float64           `json:"execution_end"`
					Perfdata     []json.RawMessage `json:"performance_data"`
				} `json:"last_check_result"`
			} `json:"attrs"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, err
	}
	var out []icingaResult
	for _, r := range resp.Results {
		cr := r.Attrs.LastCheckResult
		if cr == nil {
			continue
		}
		res := icingaResult{Host: r.Attrs.HostName, Service: r.Attrs.Name, State: int(cr.State),
			Output: cr.Output, Source: cr.CheckSource, Command: cr.Command, End: cr.ExecutionEnd}
		for _, p := range cr.Perfdata {
			var s string
			if json.Unmarshal(p, &s) != nil {
				s = string(p) // an object: Icinga could not keep it as text
			}
			res.Perfdata = append(res.Perfdata, s)
		}
		out = append(out, res)
	}
	return out, nil
}

// result turns what Icinga recorded into the run's Result for case k.
func (r icingaResult) result(k Case) Result {
	first, long, _ := strings.Cut(r.Output, "\n")
	// The credentials come from the ini the command line names.
	return Result{Case: k, Service: r.Service, State: r.State, Output: first, Long: long,
		Perfdata: strings.Join(r.Perfdata, " "), Argv: r.Command}
}

// icingaQuery encodes a query string for Icinga's API, which reads a '+'
// as itself, not as a space.
func icingaQuery(v url.Values) string {
	return strings.ReplaceAll(v.Encode(), "+", "%20")
}
