package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"check-itgrix/internal/test/integration"
)

// engine is a monitoring daemon the ladder runs in.
type engine interface {
	name() string
	// setup writes the configuration for the first n PBXs checked with c
	// into dir and returns the daemon's command line and extra environment.
	setup(b *bench, dir string, c command, n int) (argv, env []string, err error)
	// dropsRoot: the daemon drops privileges itself (else it is started
	// as the bench's -user).
	dropsRoot() bool
	// figures reads the engine's own statistics.
	figures() (figures, error)
	// settle is how long the figures lag behind the checks.
	settle() time.Duration
	// log is the engine's own log for a rung's dir: where a failed rung's
	// reason is.
	log(dir string) string
}

type figures struct {
	avgLat, maxLat, avgExec, maxExec float64 // s
	states                           [4]int
	pending                          int
}

func abs(p string) string { a, _ := filepath.Abs(p); return a }

// runAs is the user and group the engine runs as: the bench's -user, or
// whoever runs the bench.
func runAs(name string) (string, string, error) {
	if name != "" {
		return name, name, nil
	}
	u, err := user.Current()
	if err != nil {
		return "", "", err
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		return "", "", err
	}
	return u.Username, g.Name, nil
}

// icinga is Icinga 2 configured and run as the integration harness runs
// it (integration.IcingaNode, its CA and argv), with its REST API on
// 127.0.0.1 for the figures.
type icinga struct {
	ca  integration.IcingaCA
	api *integration.IcingaAPI
}

const benchNode = "bench.poller"

func (*icinga) name() string          { return "icinga2" }
func (*icinga) dropsRoot() bool       { return true }
func (*icinga) settle() time.Duration { return 0 }
func (*icinga) log(dir string) string { return dir + "/log/icinga2.log" }

// certs makes the CA the API's certificates come from, once per run.
func (ic *icinga) certs() (err error) {
	ic.ca, err = integration.NewIcingaCA()
	return err
}

func (ic *icinga) setup(b *bench, dir string, c command, n int) ([]string, []string, error) {
	o := b.o
	if err := integration.IcingaDirs(dir); err != nil {
		return nil, nil, err
	}
	if err := ic.ca.Issue(filepath.Join(dir, "lib", "certs"), benchNode); err != nil {
		return nil, nil, err
	}
	port, err := integration.FreePort()
	if err != nil {
		return nil, nil, err
	}
	ic.api = ic.ca.API(benchNode, port, "bench", fmt.Sprintf("api-%d", time.Now().UnixNano()))
	node := integration.IcingaNode{PluginDir: abs(o.bin), Name: benchNode, Log: dir + "/log/icinga2.log", Severity: "warning",
		APIPort: port, APIUser: ic.api.User, APIPassword: ic.api.Password}
	var s strings.Builder
	// The plugin runs through the shipped CheckCommand, unchanged.
	fmt.Fprintf(&s, `%sinclude %q
object CheckCommand "itgrix-recipe" {
  command = [ "/bin/bash", %q, "http://$address$:8077/status" ]
  env = { ITGRIX_USERNAME = "$itgrix_username$", ITGRIX_PASSWORD = "$itgrix_password$" }
}
object CheckCommand "bench-true" { command = [ "/bin/true" ] }
apply Service "itgrix-app" {
  check_command = %q
  check_interval = %ds
  retry_interval = %ds
  max_check_attempts = 1
  assign where host.vars.itgrix
}
`, node.Conf(), abs(o.contrib), abs(o.recipe), c.icinga, int(o.interval.Seconds()), int(o.interval.Seconds()))
	for _, m := range b.members[:n] {
		fmt.Fprintf(&s, "object Host \"pbx-%s\" { check_command = \"dummy\"; enable_active_checks = false; address = %q; vars.itgrix = true; vars.itgrix_username = %q; vars.itgrix_password = %q }\n",
			m[0], m[1], m[3], m[4])
	}
	if err := os.WriteFile(dir+"/icinga2.conf", []byte(s.String()), 0o644); err != nil {
		return nil, nil, err
	}
	// Icinga 2 switches to RunAsUser even when it need not: name ourselves
	// when not started as root.
	runUser, runGroup, err := runAs(o.runAs)
	if err != nil {
		return nil, nil, err
	}
	return integration.IcingaDaemonArgv(dir, runUser, runGroup), nil, nil
}

// figures reads /v1/status/CIB: the engine's averages over every
// service's last check result.
func (ic *icinga) figures() (figures, error) {
	if ic.api == nil {
		return figures{}, fmt.Errorf("no API yet")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, err := ic.api.Do(ctx, "GET", "/v1/status/CIB", nil)
	if err != nil {
		return figures{}, err
	}
	var doc struct {
		Results []struct {
			Status map[string]float64 `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Results) == 0 {
		return figures{}, fmt.Errorf("CIB: %v", err)
	}
	m := doc.Results[0].Status
	return figures{avgLat: m["avg_latency"], maxLat: m["max_latency"], avgExec: m["avg_execution_time"], maxExec: m["max_execution_time"],
		states:  [4]int{int(m["num_services_ok"]), int(m["num_services_warning"]), int(m["num_services_critical"]), int(m["num_services_unknown"])},
		pending: int(m["num_services_pending"])}, nil
}

// naemon is Naemon built from the vendored source; its figures come from
// naemonstats reading status.dat.
type naemon struct {
	bin, cfg string
}

func (*naemon) name() string          { return "naemon" }
func (*naemon) dropsRoot() bool       { return false }
func (*naemon) settle() time.Duration { return 2500 * time.Millisecond } // status_update_interval=2
func (*naemon) log(dir string) string { return dir + "/nagios.log" }

func (nm *naemon) setup(b *bench, dir string, c command, n int) ([]string, []string, error) {
	o := b.o
	iv := int(o.interval.Seconds())
	// The plugin as contrib/nagios/itgrix-commands.cfg runs it, with the
	// password file named per host instead of one $USER4$ for all.
	cmds := map[string]string{
		"plugin": "$USER1$/check_itgrix_app -H $HOSTADDRESS$ -u $USER3$ --password-file $_HOSTITGRIX_PASSWORD_FILE$",
		"recipe": "/usr/bin/env ITGRIX_USERNAME=$USER3$ ITGRIX_PASSWORD=$_HOSTITGRIX_PASSWORD$ /bin/bash " + abs(o.recipe) + " http://$HOSTADDRESS$:8077/status",
		"floor":  "/bin/true",
	}
	var s strings.Builder
	fmt.Fprintf(&s, "define timeperiod {\n timeperiod_name 24x7\n alias always\n sunday 00:00-24:00\n monday 00:00-24:00\n tuesday 00:00-24:00\n"+
		" wednesday 00:00-24:00\n thursday 00:00-24:00\n friday 00:00-24:00\n saturday 00:00-24:00\n}\n")
	fmt.Fprintf(&s, "define command {\n command_name bench-check\n command_line %s\n}\n", cmds[c.name])
	if err := os.MkdirAll(dir+"/pw", 0o755); err != nil {
		return nil, nil, err
	}
	for _, m := range b.members[:n] {
		pf := dir + "/pw/" + m[0]
		if err := os.WriteFile(pf, []byte(m[4]+"\n"), 0o600); err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(&s, "define host {\n host_name pbx-%s\n address %s\n max_check_attempts 1\n check_period 24x7\n active_checks_enabled 0\n"+
			" _ITGRIX_PASSWORD_FILE %s\n _ITGRIX_PASSWORD %s\n}\n", m[0], m[1], pf, m[4])
		fmt.Fprintf(&s, "define service {\n host_name pbx-%s\n service_description itgrix-app\n check_command bench-check\n"+
			" check_interval %d\n retry_interval %d\n max_check_attempts 1\n check_period 24x7\n notifications_enabled 0\n}\n", m[0], iv, iv)
	}
	if err := os.WriteFile(dir+"/objects.cfg", []byte(s.String()), 0o644); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(dir+"/resource.cfg", []byte(fmt.Sprintf("$USER1$=%s\n$USER3$=%s\n", abs(o.bin), b.members[0][3])), 0o600); err != nil {
		return nil, nil, err
	}
	runUser, runGroup, err := runAs(o.runAs)
	if err != nil {
		return nil, nil, err
	}
	if err := integration.NagiosDirs(dir); err != nil {
		return nil, nil, err
	}
	// The harness's main configuration, then the bench's own settings:
	// interval_length=1: intervals count in seconds. The default
	// cached_service_check_horizon (15 s) skips a scheduled check whose
	// last result is younger than that, which would silently halve a
	// scaled-down 10 s interval.
	main := integration.NagiosMainConf(dir, runUser, runGroup) + fmt.Sprintf(`cfg_file=%s/objects.cfg
status_update_interval=2
check_external_commands=0
interval_length=1
cached_service_check_horizon=0
log_initial_states=0
log_service_retries=0
max_concurrent_checks=0
service_check_timeout=60
use_syslog=0
`, dir)
	nm.cfg = dir + "/naemon.cfg"
	if err := os.WriteFile(nm.cfg, []byte(main), 0o644); err != nil {
		return nil, nil, err
	}
	// As the operator's guide advises for Nagios and Naemon: GOMAXPROCS=1
	// in the daemon's environment reaches every check.
	return []string{nm.bin, nm.cfg}, []string{"GOMAXPROCS=1"}, nil
}

func (nm *naemon) figures() (figures, error) {
	stats := filepath.Join(filepath.Dir(nm.bin), "naemonstats")
	out, err := exec.Command(stats, "-c", nm.cfg, "-m", "-D", " ", "-d",
		"AVGACTSVCLAT,MAXACTSVCLAT,AVGACTSVCEXT,MAXACTSVCEXT,NUMSVCOK,NUMSVCWARN,NUMSVCCRIT,NUMSVCUNKN,NUMSERVICES,NUMSVCCHECKED").Output()
	if err != nil {
		return figures{}, fmt.Errorf("naemonstats: %v", err)
	}
	var v []float64
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Split(bufio.ScanWords)
	for sc.Scan() {
		f, err := strconv.ParseFloat(sc.Text(), 64)
		if err != nil {
			return figures{}, fmt.Errorf("naemonstats: %q", out)
		}
		v = append(v, f)
	}
	if len(v) != 10 {
		return figures{}, fmt.Errorf("naemonstats: %q", out)
	}
	return figures{avgLat: v[0] / 1000, maxLat: v[1] / 1000, avgExec: v[2] / 1000, maxExec: v[3] / 1000,
		states: [4]int{int(v[4]), int(v[5]), int(v[6]), int(v[7])}, pending: int(v[8] - v[9])}, nil
}
