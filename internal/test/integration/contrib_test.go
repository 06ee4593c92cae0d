package integration

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The shipped contrib/ must stay readable by the harness: the engines'
// argv for the direct comparison is derived from it.
func TestContribNagiosCommandLines(t *testing.T) {
	objs, err := ReadNagiosObjects(filepath.Join("..", "..", "..", "contrib", "nagios"))
	if err != nil {
		t.Fatal(err)
	}
	macros := map[string]string{"USER1": "/p", "USER3": "admin", "USER4": "/pw", "HOSTADDRESS": "127.1.2.3", "HOSTNAME": "pbx"}
	for k, v := range objs.HostMacros([]string{"itgrix-pbx", "generic-host"}, nil) {
		macros[k] = v
	}
	for tmpl, plugin := range map[string]string{
		"itgrix-app": "/p/check_itgrix_app", "itgrix-license": "/p/check_itgrix_license",
		"itgrix-app-nrpe": "/p/check_nrpe", "itgrix-license-nrpe": "/p/check_nrpe",
	} {
		cmd, err := objs.Template("service", tmpl, "check_command")
		if err != nil {
			t.Fatal(err)
		}
		argv, err := objs.CommandLine(cmd, macros)
		if err != nil {
			t.Fatalf("%s: %v", tmpl, err)
		}
		if argv[0] != plugin || !slices.Contains(argv, "127.1.2.3") {
			t.Errorf("%s: argv %q", tmpl, argv)
		}
		if d, err := objs.Template("service", tmpl, "service_description"); err != nil || d == "" {
			t.Errorf("%s: no service_description (%v)", tmpl, err)
		}
	}
}

// A PBX host that uses contrib's itgrix-pbx gets the shipped defaults; its
// own custom variables win over them, and reach the plugin's argv.
func TestContribNagiosHostOverrides(t *testing.T) {
	objs, err := ReadNagiosObjects(filepath.Join("..", "..", "..", "contrib", "nagios"))
	if err != nil {
		t.Fatal(err)
	}
	argv := func(tmpl string, own map[string]string) string {
		t.Helper()
		macros := map[string]string{"USER1": "/p", "USER3": "admin", "USER4": "/pw", "HOSTADDRESS": "h"}
		for k, v := range objs.HostMacros([]string{"itgrix-pbx", "linux-server"}, own) {
			macros[k] = v
		}
		cmd, err := objs.Template("service", tmpl, "check_command")
		if err != nil {
			t.Fatal(err)
		}
		a, err := objs.CommandLine(cmd, macros)
		if err != nil {
			t.Fatalf("%s: %v", tmpl, err)
		}
		return strings.Join(a, " ")
	}
	for _, c := range []struct {
		tmpl string
		own  map[string]string
		want string
	}{
		{"itgrix-app", nil, "--queue-warning 10 --queue-critical 50 --cache-age-warning 1d --cache-age-critical 3d --invalid-state critical"},
		{"itgrix-app-ini", map[string]string{"_ITGRIX_QUEUE_WARNING": "20", "_ITGRIX_EXTRA_OPTS": "pbx@/x.ini"}, "--extra-opts=pbx@/x.ini --queue-warning 20 --queue-critical 50"},
		{"itgrix-license", nil, "-w 30 -c 7 --expected-type Professional --expected-type Subscription"},
		{"itgrix-license", map[string]string{"_ITGRIX_EXPECTED_TYPES": "--expected-type Subscription", "_ITGRIX_LICENSE_WARNING": "45"}, "-w 45 -c 7 --expected-type Subscription"},
	} {
		if got := argv(c.tmpl, c.own); !strings.HasSuffix(got, c.want) && !strings.Contains(got, c.want+" ") {
			t.Errorf("%s with %v: %s\nwant %s", c.tmpl, c.own, got, c.want)
		}
	}
}

func TestNagiosObjects(t *testing.T) {
	dir := t.TempDir()
	cfg := `# comment
define command {
    command_name   c
    command_line   $USER1$/x -H $HOSTADDRESS$ $ARG1$ ; trailing comment
}
define service {
    name           base
    check_command  c!-w 1 -c '2 3'
    register       0
}
define service {
    name           child
    use            base
    register       0
}
`
	if err := writeFile(filepath.Join(dir, "a.cfg"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	objs, err := ReadNagiosObjects(dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := objs.Template("service", "child", "check_command")
	if err != nil {
		t.Fatal(err)
	}
	argv, err := objs.CommandLine(cmd, map[string]string{"USER1": "/p", "HOSTADDRESS": "h"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/p/x", "-H", "h", "-w", "1", "-c", "2 3"}; !slices.Equal(argv, want) {
		t.Errorf("argv %q, want %q", argv, want)
	}
	// A macro the harness does not set is an error, not a blank.
	if _, err := objs.CommandLine(cmd, map[string]string{"USER1": "/p"}); err == nil || !strings.Contains(err.Error(), "$HOSTADDRESS$") {
		t.Errorf("unknown macro: %v", err)
	}
	if _, err := objs.Template("service", "none", "check_command"); err == nil {
		t.Error("a missing template is found")
	}
}

func TestShellFields(t *testing.T) {
	for in, want := range map[string][]string{
		`a b  c`:        {"a", "b", "c"},
		`a 'b c' "d e"`: {"a", "b c", "d e"},
		`a --x='y z'`:   {"a", "--x=y z"},
	} {
		got, err := ShellFields(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`a | b`, `a $(b)`, `a 'b`, ``} {
		if _, err := ShellFields(in); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
}

func TestContribNRPECommands(t *testing.T) {
	cmds, err := ReadNRPECommands(filepath.Join("..", "..", "..", "contrib", "nrpe", "itgrix.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	n := &nrpePBX{commands: map[string][]NRPECommand{"s": cmds}}
	for _, c := range []Check{App, License} {
		name, err := n.Command(PBX{Scenario: "s"}, c)
		if err != nil {
			t.Fatal(err)
		}
		argv, err := n.Argv(PBX{Scenario: "s"}, name)
		if err != nil || filepath.Base(argv[0]) != c.Plugin() {
			t.Errorf("%s: %q %v", c, argv, err)
		}
	}
}

// A PBX's own NRPE settings replace the shipped values of the flags its
// commands have, and touch no command without them.
func TestNRPELine(t *testing.T) {
	cmds, err := ReadNRPECommands(filepath.Join("..", "..", "..", "contrib", "nrpe", "itgrix.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		argv, err := ShellFields(c.Line)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(NRPELine("queue", argv), " ")
		switch c.Name {
		case "check_itgrix_app":
			if !strings.Contains(got, " --queue-warning 30 ") || strings.Contains(got, "--expected-type") {
				t.Errorf("%s: %s", c.Name, got)
			}
		case "check_itgrix_license":
			if !strings.Contains(got, " --expected-type Subscription") || strings.Count(got, "--expected-type") != 1 || strings.Contains(got, "--queue-warning") {
				t.Errorf("%s: %s", c.Name, got)
			}
		}
	}
}
