package cli

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"check-itgrix/internal/check"
	"check-itgrix/internal/secret"
)

// TestIniLineNeverShowsThePassword: an error about one line of an ini
// file names the file and the section, the user's words, so a password
// in them is masked, whichever way the line is wrong: a value its flag
// refuses, an unknown key, a switch given a value.
func TestIniLineNeverShowsThePassword(t *testing.T) {
	const pw = "Zq9-ini-secret"
	dir := filepath.Join(t.TempDir(), pw)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	ini := filepath.Join(dir, "fleet.ini")
	content := "[port]\nport = 99999\n[state]\nunreachable-state = never\n[key]\nbogus = 1\n[switch]\ntls = yes\n[" + pw + "]\nport = 0\n"
	if err := os.WriteFile(ini, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{"port", "state", "key", "switch", pw} {
		for _, env := range []map[string]string{{"ITGRIX_PASSWORD": pw}, nil} {
			args := []string{"--extra-opts=" + section + "@" + ini}
			if env == nil {
				args = append(args, "-P", pw)
			}
			code, out := runWith(t, spec(false), env, args...)
			line1, _, _ := strings.Cut(out, "\n")
			if code != 3 || strings.Contains(out, pw) || !strings.Contains(line1, "/***/fleet.ini section [") {
				t.Errorf("[%s] %v: exit %d\n%s", section, args, code, out)
			}
		}
	}
}

// TestUsageErrorsKeepOurWords: whatever the password, a usage error is
// the one told under a password that occurs nowhere, with the password
// masked only in what it repeats of the user's input (echoes: values,
// file and section names). A
// password that our words contain ("e", "1", "line", "section") never
// garbles them.
func TestUsageErrorsKeepOurWords(t *testing.T) {
	// The file's name is the user's: masked wherever it holds the
	// password, as any of its echoes.
	ini := filepath.Join(t.TempDir(), "fleet.ini")
	content := "[port]\nport = 99999\n[key]\nbogus = 1\n[switch]\ntls = yes\n[nested]\nextra-opts = x\n"
	if err := os.WriteFile(ini, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// PW stands for the password in args and echoes.
	cases := []struct {
		name   string
		args   []string
		echoes []string
	}{
		{"bad timeout", []string{"-t", "x"}, []string{"x"}},
		{"bad port", []string{"-p", "99999"}, []string{"99999"}},
		{"bad state", []string{"--unreachable-state", "never"}, []string{"never"}},
		{"bad format", []string{"--output-format", "xml"}, []string{"xml"}},
		{"bad now", []string{"--now", "yesterday"}, []string{"yesterday"}},
		{"URL in -H", []string{"-H", "pbx/x"}, []string{"pbx/x"}},
		{"character in -H", []string{"-H", "PW@x"}, []string{"PW@x", "'@'"}},
		{"scheme in --url", []string{"--url", "ftp://pbx/status"}, []string{"ftp://pbx/status"}},
		{"port in --url", []string{"--url", "http://pbx:99999/status"}, []string{"http://pbx:99999/status", "99999"}},
		{"both families", []string{"-4", "-6"}, nil},
		{"unknown flag", []string{"--bogus"}, []string{"--bogus"}},
		{"unknown short flag", []string{"-X"}, []string{"-X"}},
		{"word that is no flag", []string{"stray"}, []string{"stray"}},
		{"switch with a value", []string{"--tls=yes"}, []string{"--tls"}},
		{"ini value", []string{"--extra-opts=port@" + ini}, []string{ini, "[port]"}},
		{"ini key", []string{"--extra-opts=key@" + ini}, []string{ini, "[key]", "--bogus"}},
		{"ini switch", []string{"--extra-opts=switch@" + ini}, []string{ini, "[switch]", "tls", "tls ="}},
		{"ini --extra-opts", []string{"--extra-opts=nested@" + ini}, []string{ini, "[nested]"}},
		{"ini section missing", []string{"--extra-opts=none@" + ini}, []string{ini, "[none]"}},
		{"ini file missing", []string{"--extra-opts=port@" + ini + ".gone"}, []string{ini + ".gone", "[port]"}},
	}
	with := func(ss []string, p string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = strings.ReplaceAll(s, "PW", p)
		}
		return out
	}
	const neutral = "Neutral-Usage-Pw-0"
	for _, c := range cases {
		_, ref := runWith(t, spec(false), map[string]string{"ITGRIX_PASSWORD": neutral}, with(c.args, neutral)...)
		if !strings.HasPrefix(ref, "UNKNOWN: usage: ") {
			t.Fatalf("%s: reference run:\n%s", c.name, ref)
		}
		for _, p := range []string{"e", "1", "s", "t", "0", "line", "section", "must", "flag", "port", "extra", "tmp"} {
			echoes := with(c.echoes, p)
			slices.SortFunc(echoes, func(a, b string) int { return len(b) - len(a) })
			want := strings.ReplaceAll(ref, neutral, p)
			for _, e := range echoes {
				want = strings.ReplaceAll(want, e, secret.Scrub(e, p))
			}
			_, got := runWith(t, spec(false), map[string]string{"ITGRIX_PASSWORD": p}, with(c.args, p)...)
			if got != want {
				t.Errorf("%s, password %q:\n got %s\nwant %s", c.name, p, got, want)
			}
		}
	}
}

// TestVerboseAddressKeepsOurWords: the -v line that says where the
// address came from masks the password in the ini file's name, never in
// "the command line".
func TestVerboseAddressKeepsOurWords(t *testing.T) {
	url := simServer(t)
	for _, p := range []string{"line", "command", "from"} {
		_, out := runWith(t, spec(false), map[string]string{"ITGRIX_PASSWORD": p}, "--url", url, "-u", "admin", "-v")
		if !strings.Contains(out, "\naddress: --url from the command line") {
			t.Errorf("password %q:\n%s", p, out)
		}
	}
}

// TestFlagErrorsAreTold: every value a shared flag refuses gives an error
// told by a check.Message, so what it repeats of the value is masked and
// its words are not. An error without one would be scrubbed whole.
func TestFlagErrorsAreTold(t *testing.T) {
	app, _ := newApp(spec(false), Env{Stdout: io.Discard})
	refused := 0
	for _, f := range app.list {
		for _, v := range []string{"e", "e:x", "-1", "99999", "0"} {
			if f.isBool && v != "e" {
				continue
			}
			err := f.value.Set(v)
			if err == nil {
				continue
			}
			refused++
			if _, ok := check.Told(err); !ok {
				t.Errorf("--%s %q: %q is told by no check.Message", f.name, v, err)
			}
		}
	}
	if refused < 10 {
		t.Errorf("only %d values refused: the test no longer reaches the flags", refused)
	}
}

// failingReader fails every read with its error.
type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

// TestReadErrorIsOutsideText: the system's reason a file cannot be read
// is its own words, but any other error a read returns is outside text,
// masked where it repeats the password; the message's words stay.
func TestReadErrorIsOutsideText(t *testing.T) {
	var out strings.Builder
	Run(spec(false), Env{
		Args:   []string{"-P", "line", "--status-file", "-"},
		Getenv: func(string) string { return "" },
		Stdin:  failingReader{errors.New("pipe broke on line 3")},
		Stdout: &out,
		Now:    fixed,
	})
	if line1, _, _ := strings.Cut(out.String(), "\n"); line1 != "UNKNOWN: cannot read --status-file -: pipe broke on *** 3 | 'time'=0s;;;0; " {
		t.Errorf("%q", line1)
	}
	_, got := runWith(t, spec(false), map[string]string{"ITGRIX_PASSWORD": "file"}, "--status-file", filepath.Join(t.TempDir(), "none"))
	if !strings.Contains(got, ": no such file or directory") || !strings.Contains(got, "cannot read --status-file ") {
		t.Errorf("the system's reason is masked: %s", got)
	}
}
