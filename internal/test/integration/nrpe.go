package integration

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"
)

// checkNRPE is Debian's check_nrpe (nagios-nrpe-plugin).
const checkNRPE = "/usr/lib/nagios/plugins/check_nrpe"

// nrpePBX runs NRPE on every PBX, as contrib/nrpe/itgrix.cfg is meant to
// be installed: one daemon per PBX address on NRPE's port 5666, with that
// file's commands. The only changes are the PBX's own paths and address:
// the plugin directory, the password file and 127.0.0.1 (each PBX here is
// its own address, not localhost).
type nrpePBX struct {
	dir      string
	commands map[string][]NRPECommand // by scenario
	daemons  []*Daemon
}

func newNRPEPBX() Component { return &nrpePBX{commands: map[string][]NRPECommand{}} }

func (n *nrpePBX) Start(ctx context.Context, env *Env) error {
	var err error
	if n.dir, err = env.Dir("nrpe-pbx"); err != nil {
		return err
	}
	pluginDir := env.EngineBin
	contrib, err := ReadNRPECommands(filepath.Join(env.Contrib, "nrpe", "itgrix.cfg"))
	if err != nil {
		return err
	}
	for _, p := range env.PBXs {
		r := strings.NewReplacer(
			"/usr/lib/nagios/plugins", pluginDir,
			"/etc/nagios/itgrix.pass", env.Login.PasswordFile,
			"127.0.0.1", p.Addr,
		)
		var cmds strings.Builder
		for _, c := range contrib {
			c.Line = r.Replace(c.Line)
			if len(HostSettings[p.Scenario]) > 0 {
				// The PBX's own settings, edited into its copy of the file.
				argv, err := ShellFields(c.Line)
				if err != nil {
					return err
				}
				c.Line = strings.Join(NRPELine(p.Scenario, argv), " ")
			}
			n.commands[p.Scenario] = append(n.commands[p.Scenario], c)
			fmt.Fprintf(&cmds, "command[%s]=%s\n", c.Name, c.Line)
		}
		d := filepath.Join(n.dir, p.Scenario)
		conf := fmt.Sprintf(`log_facility=daemon
debug=0
pid_file=%[1]s/nrpe.pid
server_address=%[2]s
server_port=5666
nrpe_user=%[3]s
nrpe_group=%[4]s
allowed_hosts=127.0.0.0/8
dont_blame_nrpe=0
allow_bash_command_substitution=0
command_timeout=60
connection_timeout=300
include=%[1]s/itgrix.cfg
`, d, p.Addr, env.EngineUser, env.EngineGroup)
		if err := writeFile(filepath.Join(d, "itgrix.cfg"), cmds.String(), 0o644); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(d, "nrpe.cfg"), conf, 0o644); err != nil {
			return err
		}
	}
	if err := chownTree(n.dir, env.EngineUser, env.EngineGroup); err != nil {
		return err
	}
	for _, p := range env.PBXs {
		d := filepath.Join(n.dir, p.Scenario)
		dm, err := StartDaemon("nrpe "+p.Scenario, filepath.Join(d, "daemon.log"), nil, "nrpe", "-c", filepath.Join(d, "nrpe.cfg"), "-f")
		if err != nil {
			return err
		}
		n.daemons = append(n.daemons, dm)
		addr := net.JoinHostPort(p.Addr, "5666")
		if err := Await(ctx, dm, "NRPE on "+addr, func() error {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
			}
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

func (n *nrpePBX) Stop() {
	for _, d := range n.daemons {
		d.Stop()
	}
}

// Argv is the plugin invocation NRPE on the PBX makes for a command.
func (n *nrpePBX) Argv(p PBX, command string) ([]string, error) {
	for _, c := range n.commands[p.Scenario] {
		if c.Name == command {
			return ShellFields(c.Line)
		}
	}
	return nil, fmt.Errorf("NRPE on %s has no command %q", p.Scenario, command)
}

// Command names the NRPE command that runs a plugin: the one named after
// it, else the first whose program it is.
func (n *nrpePBX) Command(p PBX, c Check) (string, error) {
	var found string
	for _, cmd := range n.commands[p.Scenario] {
		argv, err := ShellFields(cmd.Line)
		if err != nil || filepath.Base(argv[0]) != c.Plugin() {
			continue
		}
		if cmd.Name == c.Plugin() {
			return cmd.Name, nil
		}
		if found == "" {
			found = cmd.Name
		}
	}
	if found == "" {
		return "", fmt.Errorf("contrib/nrpe has no command running %s", c.Plugin())
	}
	return found, nil
}

// nrpeEngine asks each PBX's NRPE for every case with check_nrpe directly,
// as a poller without an engine would.
type nrpeEngine struct{}

func newNRPE() Component { return nrpeEngine{} }

func (nrpeEngine) Start(context.Context, *Env) error { return nil }
func (nrpeEngine) Stop()                             {}

func (nrpeEngine) Check(ctx context.Context, env *Env, _ Inputs) (Report, error) {
	daemons, ok := Lookup[*nrpePBX](env, "nrpe-pbx")
	if !ok {
		return Report{}, fmt.Errorf("nrpe-pbx is not running")
	}
	var rep Report
	for _, c := range env.Cases {
		p, _ := env.PBX(c.Scenario)
		name, err := daemons.Command(p, c.Check)
		if err != nil {
			return Report{}, err
		}
		argv, err := daemons.Argv(p, name)
		if err != nil {
			return Report{}, err
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		code, out, err := RunPlugin(cctx, DaemonEnv(), []string{checkNRPE, "-H", p.Addr, "-t", "20", "-c", name})
		cancel()
		if err != nil {
			return Report{}, err
		}
		d := ParseOutput(code, out)
		rep.Results = append(rep.Results, Result{Case: c, State: d.State, Output: d.Output,
			Long: strings.Join(d.Long, "\n"), Perfdata: d.Perfdata, Argv: argv})
	}
	return rep, nil
}
