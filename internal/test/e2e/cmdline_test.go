package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestStdinForPasswordAndCAFile: "--password-file -" reads the password
// from standard input (no nil reader, no runtime error), "--ca-file -" a
// PEM bundle from it; standard input feeds one of them only.
func TestStdinForPasswordAndCAFile(t *testing.T) {
	base := startSim(t)
	app := filepath.Join(binDir, "check_itgrix_app")
	r := runWithStdin(t, app, nil, true, Password+"\n", "--url", base+"/status", "-u", "admin", "--password-file", "-")
	checkInvariants(t, "check_itgrix_app", r)
	if r.Code != 0 {
		t.Errorf("--password-file - with the password on stdin: exit %d\n%s", r.Code, r.Stdout)
	}
	r = runWithStdin(t, app, nil, false, "", "--url", base+"/status", "-u", "admin", "--password-file", "-")
	checkInvariants(t, "check_itgrix_app", r)
	if r.Code != 3 || !strings.HasPrefix(r.Line1(), "UNKNOWN: --password-file - is empty") {
		t.Errorf("--password-file - without stdin: exit %d\n%s", r.Code, r.Stdout)
	}
	r = runWithStdin(t, app, nil, true, "not a certificate\n", "--url", strings.Replace(base, "http:", "https:", 1)+"/status", "-u", "admin", "-P", Password, "--ca-file", "-")
	checkInvariants(t, "check_itgrix_app", r)
	if r.Code != 3 || !strings.HasPrefix(r.Line1(), "UNKNOWN: --ca-file - holds no PEM certificate") {
		t.Errorf("--ca-file - with no PEM on stdin: exit %d\n%s", r.Code, r.Stdout)
	}
	r = runWithStdin(t, app, nil, true, Password+"\n", "--url", base+"/status", "-u", "admin", "--password-file", "-", "--ca-file", "-")
	checkInvariants(t, "check_itgrix_app", r)
	if r.Code != 3 || !strings.Contains(r.Line1(), "standard input can feed one of --password-file -, --ca-file -, not several") {
		t.Errorf("stdin asked twice: exit %d\n%s", r.Code, r.Stdout)
	}
}

// TestUsageErrors: a bad command line is one UNKNOWN line saying what is
// wrong, then a short usage as the monitoring-plugins print; nothing is
// asked of the server.
func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name, plugin string
		args         []string
		env          []string
		line1        string
	}{
		{"expected type not a type", "check_itgrix_license", []string{"-u", "admin", "-P", Password, "--expected-type", "Pro"},
			nil, `UNKNOWN: usage: --expected-type: licence type "Pro" is none of Free, Subscription or Professional`},
		{"expected type list with a wrong one", "check_itgrix_license", []string{"-u", "admin", "-P", Password, "--expected-type", "subscription,professionnal"},
			nil, `UNKNOWN: usage: --expected-type: licence type "professionnal" is none of Free, Subscription or Professional`},
		{"no password anywhere", "check_itgrix_app", []string{"-u", "admin"},
			nil, "UNKNOWN: usage: no password: set --password-file, $ITGRIX_PASSWORD or -P/--password (or password= in an --extra-opts section)"},
		{"no password, license", "check_itgrix_license", nil,
			[]string{"ITGRIX_USERNAME=admin"}, "UNKNOWN: usage: no password: set --password-file, $ITGRIX_PASSWORD or -P/--password (or password= in an --extra-opts section)"},
		{"-w on the app check", "check_itgrix_app", []string{"-u", "admin", "-P", Password, "-w", "10"},
			nil, "UNKNOWN: usage: --warning: not an option of the app check: the call queue's thresholds are --queue-warning and --queue-critical"},
		{"-c on the app check", "check_itgrix_app", []string{"-u", "admin", "-P", Password, "-c5"},
			nil, "UNKNOWN: usage: --critical: not an option of the app check: the call queue's thresholds are --queue-warning and --queue-critical"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Nothing listens on the target: a request would say so.
			r := plugin(t, c.env, c.plugin, append([]string{"-H", target, "-p", "1"}, c.args...)...)
			if r.Code != 3 || !strings.HasPrefix(r.Line1(), c.line1) {
				t.Errorf("exit %d, want 3 and line 1 starting %q:\n%s", r.Code, c.line1, r.Stdout)
			}
			if strings.Contains(r.Stdout, "see --help") || !strings.Contains(r.Stdout, "\nUsage: "+c.plugin+" [-H HOST]") ||
				!strings.Contains(r.Stdout, "Every option: "+c.plugin+" --help") {
				t.Errorf("no short usage after the error:\n%s", r.Stdout)
			}
		})
	}
}

// TestHelpFitsATerminal: every binary's --help fits 80 columns and shows
// none of the flag library's leftovers.
func TestHelpFitsATerminal(t *testing.T) {
	for _, p := range []string{"check_itgrix_app", "check_itgrix_license", "itgrix-sim"} {
		r := plugin(t, nil, p, "--help")
		for _, l := range strings.Split(r.Stdout, "\n") {
			if len([]rune(l)) > 80 {
				t.Errorf("%s --help: %d columns: %q", p, len([]rune(l)), l)
			}
		}
		for _, leftover := range []string{"--help-long", "--help-man", "[no-]"} {
			if strings.Contains(r.Stdout, leftover) {
				t.Errorf("%s --help shows %q", p, leftover)
			}
		}
	}
}
