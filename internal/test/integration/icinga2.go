package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// icinga is Icinga 2 with the copy of contrib/icinga2 in its master zone,
// one host per PBX, its REST API on 127.0.0.1 for forcing checks and
// reading results, and the writers of every IcingaFeature in the run.
type icinga struct {
	dir string
	d   *Daemon
	API *IcingaAPI
}

func newIcinga() Component { return &icinga{} }

const icingaNode = "icinga.test"

// icingaStockTemplates is the package's generic-host and generic-service,
// which contrib/ builds on as a stock installation has them.
const icingaStockTemplates = "/etc/icinga2/conf.d/templates.conf"

func (ic *icinga) Start(ctx context.Context, env *Env) error {
	var err error
	if ic.dir, err = env.Dir("icinga2"); err != nil {
		return err
	}
	for _, d := range []string{"lib/certs", "log", "run", "cache", "spool", "zones.d/master"} {
		if err := mkdirAll(filepath.Join(ic.dir, d)); err != nil {
			return err
		}
	}
	ca, err := newIcingaCA()
	if err != nil {
		return err
	}
	if err := ca.issue(filepath.Join(ic.dir, "lib", "certs"), icingaNode); err != nil {
		return err
	}
	confs, _ := filepath.Glob(filepath.Join(env.Contrib, "icinga2", "*.conf"))
	if len(confs) == 0 {
		return fmt.Errorf("no contrib/icinga2/*.conf")
	}
	for _, f := range confs {
		if err := copyFile(f, filepath.Join(ic.dir, "zones.d", "master", filepath.Base(f)), 0o644); err != nil {
			return err
		}
	}
	var hosts strings.Builder
	hosts.WriteString(icingaHostCheck())
	for _, p := range env.PBXs {
		fmt.Fprintf(&hosts, `object Host %q {
  import "generic-host"
  check_command = "itgrix-test-pbx-alive"
  address = %q
  vars.itgrix = true
  vars.itgrix_username = %q
  vars.itgrix_password = ItgrixPassword
%s}
`, p.Scenario, p.Addr, env.Login.User, IcingaVars(p.Scenario))
	}
	if err := writeFile(filepath.Join(ic.dir, "zones.d", "master", "hosts.conf"), hosts.String(), 0o644); err != nil {
		return err
	}
	port, err := FreePort()
	if err != nil {
		return err
	}
	ic.API = IcingaCA{ca}.API(icingaNode, port, "test", "api-"+randomHex(8))
	var features []IcingaFeature
	var featureConf strings.Builder
	for _, name := range env.order {
		if f, ok := env.started[name].(IcingaFeature); ok {
			features = append(features, f)
			featureConf.WriteString(f.IcingaConfig(env) + "\n")
		}
	}
	node := IcingaNode{PluginDir: env.EngineBin, Name: icingaNode, Log: filepath.Join(ic.dir, "log", "icinga2.log"),
		Severity: "information", APIPort: port, APIUser: ic.API.User, APIPassword: ic.API.Password}
	conf := node.Conf() + fmt.Sprintf(`const ItgrixPassword = %q
include %q
%s
include_zones "itgrix", %q
`, env.Login.Password, icingaStockTemplates, featureConf.String(), filepath.Join(ic.dir, "zones.d"))
	if err := writeFile(filepath.Join(ic.dir, "icinga2.conf"), conf, 0o600); err != nil {
		return err
	}
	if err := chownTree(ic.dir, env.EngineUser, env.EngineGroup); err != nil {
		return err
	}
	if ic.d, err = StartDaemon("icinga2", filepath.Join(ic.dir, "daemon.log"), nil, icingaArgv(env, ic.dir)...); err != nil {
		return err
	}
	if err := Await(ctx, ic.d, "icinga2's API", func() error {
		_, err := ic.API.Do(ctx, "GET", "/v1/status/IcingaApplication", nil)
		return err
	}); err != nil {
		return fmt.Errorf("%w\n%s", err, Tail(filepath.Join(ic.dir, "log", "icinga2.log"), 20))
	}
	// Results checked before a writer is connected are never sent.
	for _, f := range features {
		if err := f.IcingaReady(ctx, ic.API); err != nil {
			return err
		}
	}
	return nil
}

func (ic *icinga) Stop() { ic.d.Stop() }

// Check forces every service and host check, waits for results newer than
// the request, and reads them with the command line Icinga ran.
func (ic *icinga) Check(ctx context.Context, env *Env, _ Inputs) (Report, error) {
	since := float64(time.Now().Unix())
	for _, typ := range []string{"Service", "Host"} {
		if _, err := ic.API.Do(ctx, "POST", "/v1/actions/reschedule-check", map[string]any{"type": typ, "force": true}); err != nil {
			return Report{}, err
		}
	}
	results, _, err := awaitResults(ctx, ic.d, ic.API, "", since, env.Cases)
	if err != nil {
		return Report{}, err
	}
	for i := range results {
		// contrib passes the password in the environment.
		results[i].Environ = []string{"ITGRIX_PASSWORD=" + env.Login.Password}
	}
	rep := Report{Results: results}
	rep.Verdicts = append(rep.Verdicts, Verdict{"every PBX's host checked UP", awaitHostsUp(ctx, ic.d, ic.API, "", since)})
	rep.Verdicts = append(rep.Verdicts, Verdict{"icinga2.log has no performance-data warnings", ic.perfdataWarnings()})
	return rep, nil
}

var perfdataWarning = regexp.MustCompile(`(?i)(perfdata|performance data).*(warning|critical|invalid|ignor)|(warning|critical|invalid|ignor).*(perfdata|performance data)`)

func (ic *icinga) perfdataWarnings() error {
	return logHas(perfdataWarning, filepath.Join(ic.dir, "log", "icinga2.log"))
}

// checkOf is the plugin a command line runs.
func checkOf(program string) Check {
	return Check(strings.TrimPrefix(filepath.Base(program), "check_itgrix_"))
}

// IcingaAPI is a client of Icinga 2's REST API.
type IcingaAPI struct {
	Base, User, Password string
	client               *http.Client
}

// Do sends a request with a JSON body (nil for none) and returns the body
// of a 2xx answer.
func (a *IcingaAPI) Do(ctx context.Context, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.Base+path, rd)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(a.User, a.Password)
	req.Header.Set("Accept", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: HTTP %d: %.300s", method, path, resp.StatusCode, b)
	}
	return b, nil
}

// icingaHostCheck declares the CheckCommand itgrix-test-pbx-alive, the
// run's host check (pbxHostCheck) on the ITL's tcp command.
func icingaHostCheck() string {
	var b strings.Builder
	argv := pbxHostCheck("$address$")
	fmt.Fprintf(&b, "object CheckCommand \"itgrix-test-pbx-alive\" {\n  command = [ %q", argv[0])
	for _, a := range argv[1:] {
		fmt.Fprintf(&b, ", %q", a)
	}
	b.WriteString(" ]\n}\n")
	return b.String()
}

// awaitHostsUp waits until every host matching filter ("" for all) has a
// result newer than since and is UP.
func awaitHostsUp(ctx context.Context, d *Daemon, api *IcingaAPI, filter string, since float64) error {
	q := url.Values{"attrs": {"last_check_result"}}
	if filter != "" {
		q.Set("filter", filter)
	}
	return Await(ctx, d, "every host checked UP", func() error {
		b, err := api.Do(ctx, "GET", "/v1/objects/hosts?"+icingaQuery(q), nil)
		if err != nil {
			return err
		}
		var resp struct {
			Results []struct {
				Name  string
				Attrs struct {
					LastCheckResult *struct {
						State        float64 `json:"state"`
						Output       string  `json:"output"`
						ExecutionEnd float64 `json:"execution_end"`
					} `json:"last_check_result"`
				}
			}
		}
		if err := json.Unmarshal(b, &resp); err != nil {
			return err
		}
		for _, h := range resp.Results {
			cr := h.Attrs.LastCheckResult
			if cr == nil || cr.ExecutionEnd < since || cr.State != 0 {
				return fmt.Errorf("host %s not checked UP yet: %+v", h.Name, cr)
			}
		}
		return nil
	})
}
