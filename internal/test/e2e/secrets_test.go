package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPasswordNeverPrinted is the guard for the invariant that matters
// most: for every scenario, both plugins, every verbosity, the password
// given by flag, file or environment appears in no output. The harness
// checks stdout and stderr of every run for Password; this test makes
// sure every path is run, including failures that echo input back.
func TestPasswordNeverPrinted(t *testing.T) {
	base := startSim(t)
	file := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(file, []byte(Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	scenarios := []string{"healthy", "warning", "restarting", "reconfiguring", "stopped", "queue", "expiring", "lastday", "expired", "free", "no-such-scenario"}
	credentials := []struct {
		env  []string
		args []string
	}{
		{nil, []string{"-u", "admin", "-P", Password}},
		{nil, []string{"-u", "admin", "--password=" + Password}},
		{nil, []string{"-u", "admin", "--password-file", file}},
		{[]string{"ITGRIX_USERNAME=admin", "ITGRIX_PASSWORD=" + Password}, nil},
		{nil, []string{"-u", "admin", "-P", Password + "-wrong"}},
	}
	verbosity := [][]string{nil, {"-v"}, {"-vvv"}}
	runs := 0
	for _, p := range []string{"check_itgrix_app", "check_itgrix_license"} {
		for _, sc := range scenarios {
			for _, c := range credentials {
				for _, v := range verbosity {
					args := append(append([]string{"--url", base + "/" + sc + "/status"}, c.args...), v...)
					plugin(t, c.env, p, args...) // the harness fails the test on any leak
					runs++
				}
			}
		}
		// Failures that repeat input: usage errors, credentials in --url,
		// a refused connection, a bad timeout next to the password.
		for _, args := range [][]string{
			{"-P", Password, "--bogus-flag"},
			{"-P", Password, "-t", Password},
			{"--url", "http://admin:" + Password + "@127.0.0.1:1/status", "-u", "admin"},
			{"-H", "127.0.0.1", "-p", "1", "-u", "admin", "-P", Password, "-vv"},
			{"--password-file", file, "--status-file", file},
			{"-u", "admin", "-P", Password, "--url", base + "/status?p=" + Password},
		} {
			r := plugin(t, []string{"ITGRIX_PASSWORD=" + Password}, p, args...)
			if strings.Contains(r.Stdout, Password) {
				t.Errorf("%v leaked", args)
			}
			runs++
		}
	}
	t.Logf("%d runs, no password in any output", runs)
}
