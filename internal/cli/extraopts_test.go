package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func runStdin(t *testing.T, stdin string, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := Run(spec(false), Env{
		Args:   args,
		Getenv: func(k string) string { return env[k] },
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Now:    fixed,
	})
	if strings.Contains(out.String(), password) {
		t.Errorf("output carries the password:\n%s", out.String())
	}
	return code, out.String()
}

// TestExtraOpts runs the whole plugin with options from ini files: the
// credentials come from a section, the command line wins over it, and
// every problem is one usage line naming the file and the section.
func TestExtraOpts(t *testing.T) {
	url := simServer(t)
	ini := writeFile(t, "[pbx1]\nurl = "+url+"\nusername = admin\npassword = "+password+"\n"+
		"[wrong]\nurl=http://127.0.0.1:1/status\nusername=nobody\npassword=wrong-one\n"+
		"[echo]\nport="+password+"\npassword="+password+"\n"+
		"[check_test]\nurl="+url+"\nusername=admin\npassword="+password+"\n"+
		"[nested]\nextra-opts=pbx1\n")
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"credentials from a section", nil, "", []string{"--extra-opts=pbx1@" + ini}, 0, "OK: read Ok"},
		{"separate value", nil, "", []string{"--extra-opts", "pbx1@" + ini}, 0, "OK: read Ok"},
		{"command line wins", nil, "", []string{"--extra-opts=wrong@" + ini, "--url", url, "-u", "admin", "-P", password}, 0, "OK: read Ok"},
		{"later section wins over earlier", nil, "", []string{"--extra-opts=wrong@" + ini, "--extra-opts=pbx1@" + ini}, 0, "OK: read Ok"},
		{"wrong password from ini", nil, "", []string{"--extra-opts=wrong@" + ini, "--url", url}, 3, "authentication failed"},
		{"default section is the plugin's name, file from $MP_CONFIG_FILE", map[string]string{"MP_CONFIG_FILE": ini}, "", []string{"--extra-opts"}, 0, "OK: read Ok"},
		{"stdin", nil, "[check_test]\nurl=" + url + "\nusername=admin\npassword=" + password + "\n", []string{"--extra-opts=@-"}, 0, "OK: read Ok"},
		{"password from ini is scrubbed from errors", nil, "", []string{"--extra-opts=echo@" + ini}, 3, "--port: port must be 1-65535"},
		{"missing section", nil, "", []string{"--extra-opts=pbx9@" + ini}, 3, "UNKNOWN: usage: --extra-opts " + ini + " section [pbx9]: no such section"},
		{"missing file", nil, "", []string{"--extra-opts=pbx1@/nonexistent.ini"}, 3, "UNKNOWN: usage: --extra-opts /nonexistent.ini section [pbx1]: no such file or directory"},
		{"nested --extra-opts", nil, "", []string{"--extra-opts=nested@" + ini}, 3, "line 17: --extra-opts cannot be set inside an ini file"},
		{"stdin twice", nil, "[check_test]\nusername=admin\n", []string{"--extra-opts=@-", "--status-file", "-"}, 3, "not several"},
		{"/dev/zero", nil, "", []string{"--extra-opts=@/dev/zero"}, 3, "UNKNOWN: usage: --extra-opts /dev/zero section [check_test]: larger than 1 MiB"},
		{"FIFO without writer is bounded by -t", nil, "", []string{"-t", "300ms", "--extra-opts=@" + fifo}, 3, "nothing to read within the 300ms timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			code, out := runStdin(t, c.stdin, c.env, c.args...)
			if code != c.code || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, c.code, c.want, out)
			}
			if code == 3 && strings.Count(withoutUsage(out), "\n") != 1 {
				t.Errorf("more than one line:\n%s", out)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

// TestBudget: the -t the --extra-opts files are read within, wherever the
// command line gives it, in a cluster of short flags too.
func TestBudget(t *testing.T) {
	cases := map[string]time.Duration{
		"":                         10 * time.Second,
		"-t 5":                     5 * time.Second,
		"-t5":                      5 * time.Second,
		"-vt1":                     1 * time.Second,
		"-vkt 2":                   2 * time.Second,
		"--timeout 2":              2 * time.Second,
		"--timeout=1500ms":         1500 * time.Millisecond,
		"-t 5 --timeout=7":         7 * time.Second,
		"-t nonsense":              10 * time.Second,
		"--tls -v --timeout=3s -k": 3 * time.Second,
		"-H -t5":                   10 * time.Second,
	}
	m := model(t)
	for in, want := range cases {
		if got := budget(m.parse(strings.Fields(in))); got != want {
			t.Errorf("budget(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestOverriddenIniPasswordStaysSecret: a password an ini section sets is
// a secret from the moment it is read, also when the command line's own
// password overrides it (the server may still echo it).
func TestOverriddenIniPasswordStaysSecret(t *testing.T) {
	ini := writeFile(t, "[s]\npassword = "+password+"\n")
	doc := writeFile(t, `{"app_status": "`+password+`", "app_state": ""}`)
	for _, args := range [][]string{
		{"--extra-opts=s@" + ini, "-P", "other1234", "--status-file", doc},
		{"--extra-opts=s@" + ini, "--password-file", writeFile(t, "other1234\n"), "--status-file", doc},
	} {
		if _, out := runWith(t, spec(false), nil, args...); !strings.Contains(out, "read ***") {
			t.Errorf("%q: %s", args, out)
		}
	}
}

// TestShortIniValueKeepsTheWords: a short refused value from an ini is
// masked where it is quoted or stands alone, never inside the message's
// own words.
func TestShortIniValueKeepsTheWords(t *testing.T) {
	cases := []struct{ msg, value, want string }{
		{`port must be 1-65535, got "e"`, "e", `port must be 1-65535, got "***"`},
		{`bad value e here`, "e", `bad value *** here`},
		{`timeout "ab" is neither seconds`, "ab", `timeout "***" is neither seconds`},
		{`got Secret1 and Secret1x`, "Secret1", `got *** and ***x`},
	}
	for _, c := range cases {
		if got := hideValue(c.msg, c.value); got != c.want {
			t.Errorf("hideValue(%q, %q) = %q; want %q", c.msg, c.value, got, c.want)
		}
	}
}

// TestUnknownFlagKeepsTheWords: under a password that is one of our
// words, an unknown flag's error masks only what was typed.
func TestUnknownFlagKeepsTheWords(t *testing.T) {
	_, out := runWith(t, spec(false), nil, "-P", "flag", "--bogus")
	if !strings.Contains(out, "unknown long flag '--bogus'") {
		t.Errorf("our own words were masked: %s", out)
	}
	_, out = runWith(t, spec(false), nil, "-P", "Zq9secret", "--Zq9secret")
	if strings.Contains(out, "Zq9secret") || !strings.Contains(out, "unknown long flag") {
		t.Errorf("the typed flag leaks the password: %s", out)
	}
}
