package integration

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// nagiosCore drives a Nagios Core 4 compatible daemon (Nagios itself or
// Naemon) configured with the copy of contrib/nagios unmodified, one host
// per PBX using contrib's service templates; it forces every check through
// the command file and reads results back from status.dat. The engine
// files (nagios.go, naemon.go, nagios_nrpe.go) fill in what differs.
type nagiosCore struct {
	name string
	// daemon returns the daemon binary and the stock sample object files
	// (generic-service, linux-server, 24x7, admins) contrib builds on.
	daemon func(ctx context.Context, env *Env) (bin string, stock []string, err error)
	// templates: the contrib service template for each plugin.
	templates map[Check]string
	// plugin turns the argv Nagios runs for a check into the plugin's own
	// argv (the same unless the command is a relay such as check_nrpe).
	plugin func(env *Env, p PBX, argv []string) ([]string, error)
	// preflight: a precondition the user must fix, checked before the run.
	preflight func(root string) error
	// dropRoot: start the daemon as the engine user (Naemon refuses root
	// rather than dropping it).
	dropRoot bool
	// prepare adds files to $USER1$ (the plugin directory) beyond the plugins.
	prepare func(env *Env, pluginDir string) error

	dir     string
	since   int64 // when the daemon started: results from then on count
	objects NagiosObjects
	macros  map[string]string
	d       *Daemon
}

// Preflight checks the daemon's precondition, if it has one.
func (n *nagiosCore) Preflight(root string) error {
	if n.preflight == nil {
		return nil
	}
	return n.preflight(root)
}

func (n *nagiosCore) Start(ctx context.Context, env *Env) error {
	bin, stock, err := n.daemon(ctx, env)
	if err != nil {
		return err
	}
	if n.dir, err = env.Dir(n.name); err != nil {
		return err
	}
	pluginDir := filepath.Join(n.dir, "plugins")
	if err := linkPlugins(env.EngineBin, pluginDir); err != nil {
		return err
	}
	if n.prepare != nil {
		if err := n.prepare(env, pluginDir); err != nil {
			return err
		}
	}
	contrib := filepath.Join(env.Contrib, "nagios")
	if n.objects, err = ReadNagiosObjects(contrib); err != nil {
		return err
	}
	// resource.cfg as contrib's comments describe it.
	n.macros = map[string]string{"USER1": pluginDir, "USER3": env.Login.User, "USER4": env.Login.PasswordFile}
	var res strings.Builder
	for _, k := range sortedKeys(n.macros) {
		fmt.Fprintf(&res, "$%s$=%s\n", k, n.macros[k])
	}
	// Hosts on the stock generic-host, with a host check that runs.
	hosts := "define command {\n    command_name itgrix-test-host-alive\n    command_line " + strings.Join(pbxHostCheck("$HOSTADDRESS$"), " ") + "\n}\n"
	for _, p := range env.PBXs {
		// contrib's itgrix-pbx holds the thresholds; the PBX's own
		// custom variables override them.
		own := ""
		for _, h := range HostSettings[p.Scenario] {
			own += fmt.Sprintf("    %s %s\n", h.Nagios, h.NagiosValue())
		}
		hosts += fmt.Sprintf("define host {\n    use itgrix-pbx,generic-host\n    host_name %s\n    address %s\n"+
			"    check_command itgrix-test-host-alive\n    max_check_attempts 1\n    check_period 24x7\n    contact_groups admins\n%s}\n",
			p.Scenario, p.Addr, own)
		for _, c := range Checks(env.Cases, p.Scenario) {
			hosts += fmt.Sprintf("define service {\n    use %s\n    host_name %s\n}\n", n.templates[c], p.Scenario)
		}
	}
	// The log first: Nagios logs the errors of what follows there.
	var main strings.Builder
	main.WriteString(NagiosMainConf(n.dir, env.EngineUser, env.EngineGroup))
	for _, f := range stock {
		fmt.Fprintf(&main, "cfg_file=%s\n", f)
	}
	fmt.Fprintf(&main, "cfg_dir=%s\ncfg_file=%s/hosts.cfg\n", contrib, n.dir)
	main.WriteString(`status_update_interval=1
check_external_commands=1
command_check_interval=-1
# The PBXs' host checks run here (NagiosMainConf turns them off for the bench).
execute_host_checks=1
service_check_timeout=30
illegal_macro_output_chars=` + "`~$&|'\"<>" + `
`)
	for name, content := range map[string]string{"resource.cfg": res.String(), "hosts.cfg": hosts, "nagios.cfg": main.String()} {
		if err := writeFile(filepath.Join(n.dir, name), content, 0o644); err != nil {
			return err
		}
	}
	if err := NagiosDirs(n.dir); err != nil {
		return err
	}
	if err := chownTree(n.dir, env.EngineUser, env.EngineGroup); err != nil {
		return err
	}
	cfg := filepath.Join(n.dir, "nagios.cfg")
	var cred *syscall.Credential
	if n.dropRoot {
		if cred, err = EngineCredential(env); err != nil {
			return err
		}
	}
	if out, err := RunCmdAs(ctx, cred, n.dir, DaemonEnv(), bin, "-v", cfg); err != nil {
		var errs []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "Error") {
				errs = append(errs, l)
			}
		}
		return fmt.Errorf("%s rejects the configuration: %w\n%s", n.name, err, strings.Join(head(errs, 10), "\n"))
	}
	n.since = time.Now().Unix()
	if n.d, err = StartDaemonAs(cred, n.name, filepath.Join(n.dir, "daemon.log"), nil, bin, cfg); err != nil {
		return err
	}
	return Await(ctx, n.d, n.name+"'s command file", func() error {
		if fi, err := os.Stat(filepath.Join(n.dir, "rw", "nagios.cmd")); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			return fmt.Errorf("no command pipe yet")
		}
		return nil
	})
}

func (n *nagiosCore) Stop() { n.d.Stop() }

// Check forces every service and host check and waits until status.dat
// shows a result for all of them, every host UP. A result counts from the daemon's start: a
// forced check may be folded into a scheduled one already running.
func (n *nagiosCore) Check(ctx context.Context, env *Env, _ Inputs) (Report, error) {
	descr := map[string]Check{}
	for c, tmpl := range n.templates {
		d, err := n.objects.Template("service", tmpl, "service_description")
		if err != nil {
			return Report{}, err
		}
		descr[d] = c
	}
	now := time.Now().Unix()
	var cmds strings.Builder
	for _, p := range env.PBXs {
		for _, c := range Checks(env.Cases, p.Scenario) {
			for d, dc := range descr {
				if dc == c {
					fmt.Fprintf(&cmds, "[%d] SCHEDULE_FORCED_SVC_CHECK;%s;%s;%d\n", now, p.Scenario, d, now)
				}
			}
		}
		fmt.Fprintf(&cmds, "[%d] SCHEDULE_FORCED_HOST_CHECK;%s;%d\n", now, p.Scenario, now)
	}
	pipe, err := os.OpenFile(filepath.Join(n.dir, "rw", "nagios.cmd"), os.O_WRONLY, 0)
	if err != nil {
		return Report{}, err
	}
	_, err = pipe.WriteString(cmds.String())
	pipe.Close()
	if err != nil {
		return Report{}, err
	}
	var status []map[string]string
	err = Await(ctx, n.d, "every forced check in status.dat", func() error {
		all, err := readStatus(filepath.Join(n.dir, "status.dat"), "servicestatus")
		if err != nil {
			return err
		}
		hosts, err := readStatus(filepath.Join(n.dir, "status.dat"), "hoststatus")
		if err != nil {
			return err
		}
		for _, h := range hosts {
			if last, _ := strconv.ParseInt(h["last_check"], 10, 64); last < n.since || h["current_state"] != "0" {
				return fmt.Errorf("host %s not checked UP yet (state %s): %s", h["host_name"], h["current_state"], h["plugin_output"])
			}
		}
		status = status[:0]
		for _, s := range all {
			if _, ok := descr[s["service_description"]]; ok {
				status = append(status, s)
				last, _ := strconv.ParseInt(s["last_check"], 10, 64)
				if last < n.since || s["has_been_checked"] != "1" {
					return fmt.Errorf("%s/%s not checked yet", s["host_name"], s["service_description"])
				}
			}
		}
		if len(status) < len(env.Cases) {
			return fmt.Errorf("%d services in status.dat", len(status))
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	var rep Report
	for _, s := range status {
		c, ok := FindCase(env.Cases, s["host_name"], descr[s["service_description"]])
		if !ok {
			continue
		}
		p, _ := env.PBX(c.Scenario)
		tmplCmd, err := n.objects.Template("service", n.templates[c.Check], "check_command")
		if err != nil {
			return Report{}, err
		}
		macros := map[string]string{"HOSTADDRESS": p.Addr, "HOSTNAME": p.Scenario}
		for k, v := range n.macros {
			macros[k] = v
		}
		own := map[string]string{}
		for _, h := range HostSettings[p.Scenario] {
			own[h.Nagios] = h.NagiosValue()
		}
		for k, v := range n.objects.HostMacros([]string{"itgrix-pbx", "generic-host"}, own) {
			macros[k] = v
		}
		argv, err := n.objects.CommandLine(tmplCmd, macros)
		if err != nil {
			return Report{}, err
		}
		if n.plugin != nil {
			if argv, err = n.plugin(env, p, argv); err != nil {
				return Report{}, err
			}
		}
		state, _ := strconv.Atoi(s["current_state"])
		rep.Results = append(rep.Results, Result{
			Case: c, State: state, Output: s["plugin_output"],
			Long:     statusUnescape(s["long_plugin_output"]),
			Perfdata: s["performance_data"],
			Argv:     argv,
		})
	}
	return rep, nil
}

// statusUnescape reads a status.dat value as the engine escaped it: line
// breaks as the two characters \n, a backslash (the "\_" before a
// subcheck's [STATE]) as two.
func statusUnescape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '\\' || v[i+1] == 'n') {
			i++
			if v[i] == 'n' {
				b.WriteByte('\n')
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// readStatus returns the blocks of a kind (servicestatus, hoststatus) of
// a status.dat.
func readStatus(path, kind string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []map[string]string
	var cur map[string]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == kind+" {":
			cur = map[string]string{}
		case line == "}":
			if cur != nil {
				out = append(out, cur)
			}
			cur = nil
		case cur != nil:
			if k, v, ok := strings.Cut(line, "="); ok {
				cur[k] = v
			}
		}
	}
	return out, sc.Err()
}

// NagiosMainConf is what every Nagios Core 4 or Naemon this project runs has
// in its main configuration (the harness's engines, make bench-fleet's): its
// files under dir (which NagiosDirs prepares), the user and group it runs
// as, no retention, no notifications, no host checks. Callers add
// cfg_file lines and their own settings.
func NagiosMainConf(dir, user, group string) string {
	return fmt.Sprintf(`log_file=%[1]s/nagios.log
resource_file=%[1]s/resource.cfg
status_file=%[1]s/status.dat
temp_file=%[1]s/nagios.tmp
temp_path=%[1]s
lock_file=%[1]s/nagios.pid
check_result_path=%[1]s/spool
check_result_reaper_frequency=1
command_file=%[1]s/rw/nagios.cmd
query_socket=%[1]s/rw/nagios.qh
state_retention_file=%[1]s/retention.dat
retain_state_information=0
object_cache_file=%[1]s/objects.cache
precached_object_file=%[1]s/objects.precache
nagios_user=%[2]s
nagios_group=%[3]s
enable_notifications=0
execute_host_checks=0
`, dir, user, group)
}

// NagiosDirs creates the directories NagiosMainConf names.
func NagiosDirs(dir string) error {
	for _, d := range []string{"spool", "rw"} {
		if err := mkdirAll(filepath.Join(dir, d)); err != nil {
			return err
		}
	}
	return nil
}
