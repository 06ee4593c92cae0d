package e2e

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// checkTCP is Debian's monitoring-plugins-basic, the reference for
// --extra-opts (make test installs it).
const checkTCP = "/usr/lib/nagios/plugins/check_tcp"

// target is an address in this project's loopback block where nothing
// listens: every plugin reports the refused connection with the host and
// port it parsed, which shows what the ini file set.
const target = "127.13.0.9"

var (
	reOurs = regexp.MustCompile(`connection refused by ([0-9.]+):([0-9]+)`)
	reTCP  = regexp.MustCompile(`connect to address ([0-9.]+) and port ([0-9]+): Connection refused`)
)

// TestExtraOptsLikeMonitoringPlugins runs both plugins and check_tcp on the
// same ini files. want is "HOST:PORT" (the options were read) or "error"
// (one UNKNOWN line, nothing contacted). Where check_tcp is wrong, mpWrong
// says how, and check_tcp's answer is only logged.
func TestExtraOptsLikeMonitoringPlugins(t *testing.T) {
	dir := t.TempDir()
	ok := target + ":1"
	cases := []struct {
		name, ini string
		// args follow the plugin; INI is replaced by the ini's path.
		args    []string
		env     []string
		stdin   bool
		want    string
		mpWrong string
	}{
		{name: "key=value", ini: "[s]\nhostname=" + target + "\nport=1\n", args: []string{"--extra-opts=s@INI"}, want: ok},
		{name: "separate value", ini: "[s]\nhostname=" + target + "\nport=1\n", args: []string{"--extra-opts", "s@INI"}, want: ok},
		{name: "comments, blank lines, spaces, CRLF", ini: "# fleet\r\n; PBXs\r\n\r\n[ s ]\r\n  hostname = " + target + "  \r\n\tport\t=\t1\r\n", args: []string{"--extra-opts=s@INI"}, want: ok},
		{name: "key= is a flag without value", ini: "[s]\nhostname=" + target + "\nport=1\nverbose=\n", args: []string{"--extra-opts=s@INI"}, want: ok},
		{name: "a section twice contributes both parts", ini: "[s]\nhostname=" + target + "\n[o]\nport=2\n[s]\nport=1\n", args: []string{"--extra-opts=s@INI"}, want: ok},
		{name: "command line wins", ini: "[s]\nhostname=" + target + "\nport=2\n", args: []string{"--extra-opts=s@INI", "-p", "1"}, want: ok},
		{name: "several apply in order", ini: "[a]\nhostname=" + target + "\nport=2\n[b]\nport=1\n", args: []string{"--extra-opts=a@INI", "--extra-opts=b@INI"}, want: ok},
		{name: "section defaults to the plugin's name", ini: "[check_tcp]\nhostname=" + target + "\nport=1\n[check_itgrix_app]\nhostname=" + target + "\nport=1\n[check_itgrix_license]\nhostname=" + target + "\nport=1\n", args: []string{"--extra-opts=@INI"}, want: ok},
		{name: "stdin", ini: "[s]\nhostname=" + target + "\nport=1\n", args: []string{"--extra-opts=s@-"}, stdin: true, want: ok},
		{name: "missing file", args: []string{"--extra-opts=s@" + filepath.Join(dir, "nonexistent.ini")}, want: "error"},
		{name: "missing section", ini: "[other]\nport=1\n", args: []string{"--extra-opts=s@INI"}, want: "error"},
		{name: "empty section", ini: "[s]\n# nothing yet\n", args: []string{"--extra-opts=s@INI"}, want: "error"},
		{name: "text before the first section", ini: "port=1\n[s]\nhostname=" + target + "\n", args: []string{"--extra-opts=s@INI"}, want: "error"},
		{name: "line without =", ini: "[s]\nhostname=" + target + "\nport\n", args: []string{"--extra-opts=s@INI"}, want: "error"},
		{name: "several spaces before =", ini: "[s]\nhostname   =" + target + "\nport=1\n", args: []string{"--extra-opts=s@INI"}, want: ok,
			mpWrong: `the spaces become part of the name ("--hostname  "), an unknown option`},
		{name: "one-letter keys", ini: "[s]\nH=" + target + "\np=1\n", args: []string{"--extra-opts=s@INI"}, want: ok,
			mpWrong: `"p=1" becomes "-p=1", which getopt reads as the value "=1"`},
		{name: "section with file from $MP_CONFIG_FILE", ini: "[s]\nhostname=" + target + "\nport=1\n", args: []string{"--extra-opts=s"}, env: []string{"MP_CONFIG_FILE=INI"}, want: ok,
			mpWrong: "2.3.3 frees the variable's value and aborts"},
		{name: "bare --extra-opts with $MP_CONFIG_FILE", ini: "[check_tcp]\nhostname=" + target + "\nport=1\n[check_itgrix_app]\nhostname=" + target + "\nport=1\n[check_itgrix_license]\nhostname=" + target + "\nport=1\n", args: []string{"--extra-opts"}, env: []string{"MP_CONFIG_FILE=INI"}, want: ok,
			mpWrong: "2.3.3 frees the variable's value and aborts"},
	}
	_, haveTCP := os.Stat(checkTCP)
	if haveTCP != nil {
		t.Logf("%s absent (make test installs monitoring-plugins-basic): comparing with the expectations only", checkTCP)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, "missing.ini")
			if c.ini != "" {
				file = filepath.Join(dir, "case"+string(rune('a'+i))+".ini")
				if err := os.WriteFile(file, []byte(c.ini), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			subst := func(in []string) []string {
				out := make([]string, len(in))
				for i, a := range in {
					out[i] = strings.ReplaceAll(a, "INI", file)
				}
				return out
			}
			args, env := subst(c.args), subst(c.env)
			for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
				// The login and password come from the environment so the ini files
				// stay what check_tcp understands too.
				r := runWithStdin(t, filepath.Join(binDir, p), append(env, "ITGRIX_USERNAME=admin", "ITGRIX_PASSWORD="+Password), c.stdin, c.ini, args...)
				checkInvariants(t, p, r)
				if got := outcome(r, reOurs); got != c.want {
					t.Errorf("%s %q: got %s, want %s:\n%s", p, args, got, c.want, r.Stdout)
				}
				if c.want == "error" && !strings.HasPrefix(r.Stdout, "UNKNOWN: usage: --extra-opts ") {
					t.Errorf("%s: not one usage line naming --extra-opts:\n%s", p, r.Stdout)
				}
			}
			if haveTCP != nil {
				return
			}
			r := runWithStdin(t, checkTCP, env, c.stdin, c.ini, args...)
			got := outcome(r, reTCP)
			switch {
			case c.mpWrong != "":
				t.Logf("check_tcp: %s (got %s, exit %d); the plugins get %s", c.mpWrong, got, r.Code, c.want)
			case got != c.want:
				t.Errorf("check_tcp %q: got %s, want %s:\n%s%s", args, got, c.want, r.Stdout, r.Stderr)
			}
		})
	}
}

// outcome is "HOST:PORT" when the plugin tried to connect, "error" when
// it stopped with UNKNOWN before that, and the output otherwise.
func outcome(r Run, re *regexp.Regexp) string {
	if m := re.FindStringSubmatch(r.Stdout); m != nil {
		return m[1] + ":" + m[2]
	}
	if r.Code == 3 {
		return "error"
	}
	if r.Code < 0 {
		return "crash"
	}
	return "exit " + r.Stdout
}

func runWithStdin(t *testing.T, path string, env []string, stdin bool, in string, args ...string) Run {
	t.Helper()
	sourcesTouch.Do(func() { touchSources(sourceRoot) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "TZ=UTC", "LC_ALL=C"}, env...)
	if stdin {
		cmd.Stdin = strings.NewReader(in)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run()
	return Run{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
}

// TestExtraOptsFleetIni is the fleet set-up end to end: one ini file with a
// section per PBX carries URL, login and password, the real Digest exchange
// succeeds, and the password appears nowhere even at -vvv.
func TestExtraOptsFleetIni(t *testing.T) {
	base := startSim(t)
	ini := filepath.Join(t.TempDir(), "itgrix.ini")
	content := "; a section per PBX\n[pbx1]\nurl = " + base + "/stopped/status\nusername = admin\npassword = " + Password + "\n" +
		"[pbx2]\nurl = " + base + "/expiring/status\nusername = admin\npassword = " + Password + "\n"
	if err := os.WriteFile(ini, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
	r := plugin(t, nil, "check_itgrix_app", "--extra-opts=pbx1@"+ini, "-vvv")
	if r.Code != 2 || !strings.Contains(r.Line1(), "stopped") {
		t.Errorf("app: exit %d: %s", r.Code, r.Stdout)
	}
	r = plugin(t, nil, "check_itgrix_license", "--extra-opts", "pbx2@"+ini, "-w", "30", "-c", "7")
	if r.Code != 1 || !strings.Contains(r.Line1(), "days left") {
		t.Errorf("license: exit %d: %s", r.Code, r.Stdout)
	}
}

// TestExtraOptsFleetIniWildcardListen: the ini itgrix-sim --fleet-ini
// writes for a --listen on every address names the loopback address of
// its family, where such a fleet answers, so a check run from it reaches
// the PBX. The fleet itself is served on loopback only, as every daemon of
// the tests; only the ini is asked for with the wildcard.
func TestExtraOptsFleetIniWildcardListen(t *testing.T) {
	for _, c := range []struct{ loopback, wildcard string }{{"127.0.0.1", ""}, {"127.0.0.1", "0.0.0.0"}, {"[::1]", "[::]"}} {
		if c.loopback == "[::1]" {
			ln, err := net.Listen("tcp", "[::1]:0")
			if err != nil {
				t.Logf("no IPv6 loopback, %s not tried: %v", c.wildcard, err)
				continue
			}
			ln.Close()
		}
		fleet := []string{"--fleet", "1", "--password", Password, "--fleet-scenarios", "stopped"}
		base := startSim(t, append(fleet, "--listen", c.loopback+":0")...)
		_, port, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(base, "/pbx/0"), "http://"))
		if err != nil {
			t.Fatalf("itgrix-sim listens on %q: %v", base, err)
		}
		r := plugin(t, nil, "itgrix-sim", append(fleet, "--listen", c.wildcard+":"+port, "--fleet-ini")...)
		ini := filepath.Join(t.TempDir(), "fleet.ini")
		if err := os.WriteFile(ini, []byte(r.Stdout), 0o600); err != nil || r.Code != 0 {
			t.Fatalf("--listen %s:%s --fleet-ini: exit %d %v\n%s", c.wildcard, port, r.Code, err, r.Stdout)
		}
		r = plugin(t, nil, "check_itgrix_app", "--extra-opts=pbx0@"+ini)
		if r.Code != 2 || !strings.Contains(r.Line1(), "stopped") {
			t.Errorf("--fleet-ini for --listen %s:%s: exit %d: %s", c.wildcard, port, r.Code, r.Stdout)
		}
	}
}
