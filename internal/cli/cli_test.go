package cli

import (
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/secret"
	"check-itgrix/internal/sim"
)

const password = "Cli-Test-Pa55word"

func fixed() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }

// spec is a minimal check: OK with the app_status it read, or a panic.
func spec(panicking bool) Spec {
	return Spec{
		Name:        "check_test",
		Unreachable: check.Critical,
		Check: evaluating(func(s *itgrix.Status, _ time.Time) check.Result {
			if panicking {
				panic("evaluator bug")
			}
			return check.Result{State: check.OK, Summary: "read " + s.AppStatus.Value}
		}),
	}
}

// testCheck is a check without flags of its own.
type testCheck struct {
	evaluate Evaluator
	zone     *time.Location
}

func (testCheck) Flags(*Flags) {}

func (c testCheck) Judge() (Judge, error) { return Judge{Evaluate: c.evaluate, Zone: c.zone}, nil }

func evaluating(e Evaluator) Check { return testCheck{evaluate: e} }

func runWith(t *testing.T, s Spec, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := Run(s, Env{
		Args:   args,
		Getenv: func(k string) string { return env[k] },
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Now:    fixed,
	})
	if strings.Contains(out.String(), password) {
		t.Errorf("output carries the password:\n%s", out.String())
	}
	return code, out.String()
}

func simServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(sim.Handler(sim.Config{Username: "admin", Password: password, Scenario: "healthy", Now: fixed}))
	t.Cleanup(srv.Close)
	return srv.URL + "/status"
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCredentials pins where the login and password come from:
// -u over $ITGRIX_USERNAME; -P, --password-file, then $ITGRIX_PASSWORD.
func TestCredentials(t *testing.T) {
	url := simServer(t)
	good := writeFile(t, password+"\r\nignored")
	bad := writeFile(t, "wrong\n")
	empty := writeFile(t, "\n")
	cases := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"flags", nil, []string{"-u", "admin", "-P", password}, 0, "OK: read Ok"},
		{"environment", map[string]string{"ITGRIX_USERNAME": "admin", "ITGRIX_PASSWORD": password}, nil, 0, "OK: read Ok"},
		{"password file with CRLF", nil, []string{"-u", "admin", "--password-file", good}, 0, "OK: read Ok"},
		{"file beats environment", map[string]string{"ITGRIX_PASSWORD": "wrong"}, []string{"-u", "admin", "--password-file", good}, 0, "OK"},
		{"flag beats environment", map[string]string{"ITGRIX_PASSWORD": "wrong"}, []string{"-u", "admin", "-P", password}, 0, "OK"},
		{"flag login beats environment", map[string]string{"ITGRIX_USERNAME": "nobody", "ITGRIX_PASSWORD": password}, []string{"-u", "admin"}, 0, "OK"},
		{"wrong password file", nil, []string{"-u", "admin", "--password-file", bad}, 3, "UNKNOWN: authentication failed"},
		{"empty password file", nil, []string{"-u", "admin", "--password-file", empty}, 3, "is empty"},
		{"both -P and file", nil, []string{"-u", "admin", "-P", password, "--password-file", good}, 3, "not both"},
		{"no login", map[string]string{"ITGRIX_PASSWORD": password}, nil, 3, "UNKNOWN: usage: no login"},
		{"password starting with @", nil, []string{"-u", "admin", "-P", "@" + password}, 3, "authentication failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := runWith(t, spec(false), c.env, append([]string{"--url", url}, c.args...)...)
			if code != c.code || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, c.code, c.want, out)
			}
		})
	}
}

func TestURLFromFlags(t *testing.T) {
	cases := []struct {
		o    options
		want string
		err  string
	}{
		{options{hostname: "127.0.0.1", port: 8077}, "http://127.0.0.1:8077/status", ""},
		{options{hostname: "pbx", port: 443, tls: true}, "https://pbx:443/status", ""},
		{options{hostname: "::1", port: 8077}, "http://[::1]:8077/status", ""},
		{options{hostname: "[fe80::1]", port: 1}, "http://[fe80::1]:1/status", ""},
		{options{hostname: "h", port: 1, url: "https://other:9/custom/status?x=1"}, "https://other:9/custom/status?x=1", ""},
		{options{hostname: "", port: 8077}, "", "empty --hostname"},
		{options{hostname: "h", port: 0}, "", "--port must be 1-65535"},
		{options{hostname: "pbx:8077", port: 8077}, "", `-H "pbx:8077": give the port with -p`},
		{options{url: "pbx:8077/status"}, "", "--url must be http(s)://"},
		{options{url: "http:///status"}, "", "--url must be http(s)://"},
		{options{url: "http://admin:" + password + "@pbx/status"}, "", "must not carry credentials"},
		{options{url: "http://pbx/%zz"}, "", "--url is not a URL"},
	}
	for _, c := range cases {
		u, err := c.o.statusURL()
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%+v: %v, want error %q", c.o, err, c.err)
		case c.err == "" && (err != nil || u.String() != c.want):
			t.Errorf("%+v: %v %v, want %s", c.o, u, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), password) {
			t.Errorf("error carries the password: %v", err)
		}
	}
}

func TestParseTimeout(t *testing.T) {
	ok := map[string]time.Duration{"10": 10 * time.Second, "2.5": 2500 * time.Millisecond, "10s": 10 * time.Second, "1500ms": 1500 * time.Millisecond, "1m": time.Minute, "3600": time.Hour}
	for in, want := range ok {
		if got, err := ParseTimeout(in); err != nil || got != want {
			t.Errorf("ParseTimeout(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0", "-1", "abc", "10x", "2h", "3601", "NaN"} {
		if d, err := ParseTimeout(in); err == nil {
			t.Errorf("ParseTimeout(%q) accepted: %v", in, d)
		}
	}
}

func TestPortFlag(t *testing.T) {
	for _, bad := range []string{"0", "65536", "abc", "-1", "80.5"} {
		code, out := runWith(t, spec(false), nil, "-u", "a", "-p="+bad)
		if code != 3 || !strings.Contains(out, "port must be 1-65535") {
			t.Errorf("-p %s: exit %d %q", bad, code, out)
		}
	}
}

// model is the flag model of the minimal check.
func model(t *testing.T) flagModel {
	t.Helper()
	app, _ := newApp(spec(false), Env{Stdout: io.Discard})
	return modelOf(app)
}

// TestCanonical: what the parser is given: every value joined to its flag
// with '=', so "-" and "-5:5" stay values.
func TestCanonical(t *testing.T) {
	m := model(t)
	cases := []struct{ args, want []string }{
		{[]string{"--status-file", "-", "-v", "-"}, []string{"--status-file=-", "--verbose", "-"}},
		{[]string{"-vt1", "-kS", "--no-tls"}, []string{"--verbose", "--timeout=1", "--insecure", "--tls", "--no-tls"}},
		{[]string{"-p", "-5", "--url", "-x", "--", "-v"}, []string{"--port=-5", "--url=-x", "--", "-v"}},
		{[]string{"--extra-opts", "s@f", "--extra-opts", "-v"}, []string{"--verbose"}},
	}
	for _, c := range cases {
		if got := canonical(m.parse(c.args), func(s string) string { return s }); !slices.Equal(got, c.want) {
			t.Errorf("canonical(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}

func TestPasswords(t *testing.T) {
	args := []string{"-P", "a1-first", "--password", "b2-second", "--password=c3-third", "-Pd4-fourth", "-P=e5-fifth", "-vvP", "f6-sixth", "-vkPg7-seventh", "-4Pi9-ninth", "-6vP", "j10-tenth", "-uP", "-v", "-tP", "k11-not", "--", "-P", "h8-not"}
	scrub := secret.New(append(passwords(model(t).parse(args)), "env6-var")...)
	got := scrub.Scrub("env6-var a1-first b2-second c3-third d4-fourth e5-fifth f6-sixth g7-seventh i9-ninth j10-tenth -v k11-not h8-not")
	if got != "*** *** *** *** *** *** *** *** *** *** -v k11-not h8-not" {
		t.Errorf("passwords scrubbed: %q", got)
	}
}

// TestUsageErrorNeverEchoesPassword: the parser's messages name arguments;
// none of them may show the password.
func TestUsageErrorNeverEchoesPassword(t *testing.T) {
	for _, args := range [][]string{
		{"-P", password, "--bogus"},
		{"--password=" + password, "--timeout", password},
		{"-P" + password, password},
		{"--url", "http://admin:" + password + "@pbx/status", "-u", "admin"},
	} {
		code, out := runWith(t, spec(false), map[string]string{"ITGRIX_PASSWORD": password}, args...)
		if code != 3 || !strings.HasPrefix(out, "UNKNOWN: usage: ") {
			t.Errorf("%v: exit %d %q", args, code, out)
		}
	}
}

func TestPanicBecomesUnknown(t *testing.T) {
	code, out := runWith(t, spec(true), nil, "--status-file", writeFile(t, `{"app_status":"Ok"}`))
	if code != 3 || !strings.HasPrefix(out, "UNKNOWN: internal error: evaluator bug") || strings.Count(out, "\n") != 1 {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestHelpAndVersionExit3OnStdout(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "--version", "-V", "--help-long", "--help-man"} {
		code, out := runWith(t, spec(false), nil, arg)
		if code != 3 || out == "" {
			t.Errorf("%s: exit %d, %d bytes", arg, code, len(out))
		}
		if strings.Contains(out, "UNKNOWN") || strings.Contains(out, "read Ok") {
			t.Errorf("%s: the check ran after help/version:\n%s", arg, out)
		}
	}
}

func TestHelpHasNoNegatedFlags(t *testing.T) {
	_, out := runWith(t, spec(false), nil, "--help")
	if strings.Contains(out, "[no-]") || !strings.Contains(out, "-S, --tls ") || !strings.Contains(out, "-v, --verbose ...") {
		t.Errorf("help flags column:\n%s", out)
	}
}

func TestVerboseSaysWhereFrom(t *testing.T) {
	url := simServer(t)
	code, out := runWith(t, spec(false), nil, "--url", url, "-u", "admin", "-P", password, "-vvv")
	if code != 0 || !strings.Contains(out, "document: "+url+", ") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestPasswordThatIsAWordTheCheckReads: server text is scrubbed before the
// evaluation, but a password equal to a value the check judges ("Error")
// must not change the state or the metrics; then the output is the
// unscrubbed one, which names that word anyway.
func TestPasswordThatIsAWordTheCheckReads(t *testing.T) {
	judging := Spec{
		Name: "check_test", Unreachable: check.Critical,
		Check: evaluating(func(s *itgrix.Status, _ time.Time) check.Result {
			r := check.Result{State: check.OK, Summary: "status " + s.AppStatus.Value + ": " + s.AppErr.Value}
			if s.AppStatus.Value == "Error" {
				r.State = check.Critical
			}
			return r
		}),
	}
	doc := writeFile(t, `{"app_status":"Error","app_err":"login rejected, password Error12 is wrong"}`)
	cases := []struct {
		password string
		code     int
		line1    string
	}{
		{"Error", 2, "CRITICAL: status Error: login rejected, password Error12 is wrong"},
		{"Error12", 2, "CRITICAL: status Error: login rejected, password *** is wrong"},
		{"rejected", 2, "CRITICAL: status Error: login ***, password Error12 is wrong"},
	}
	for _, c := range cases {
		code, out := runWith(t, judging, map[string]string{"ITGRIX_PASSWORD": c.password}, "--status-file", doc)
		if line1, _, _ := strings.Cut(out, " |"); code != c.code || line1 != c.line1 {
			t.Errorf("password %q: exit %d %q, want %d %q", c.password, code, line1, c.code, c.line1)
		}
	}
}

// TestVerboseIsASCII: what the plugin says of itself is plain ASCII: the
// time -v reports is in "us", never "µs", as are the timeouts it names.
func TestVerboseIsASCII(t *testing.T) {
	var out bytes.Buffer
	tick := fixed()
	Run(spec(false), Env{
		Args:   []string{"--status-file", writeFile(t, `{"app_status":"Ok"}`), "-v"},
		Getenv: func(string) string { return "" },
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Now:    func() time.Time { tick = tick.Add(110 * time.Microsecond); return tick },
	})
	if !strings.Contains(out.String(), "in 110us") {
		t.Errorf("-v does not report the time in us:\n%s", out.String())
	}
	for _, r := range out.String() {
		if r > 127 {
			t.Errorf("-v output is not ASCII:\n%s", out.String())
			break
		}
	}
}

// withoutUsage is a plugin's output without the short usage a usage error
// ends with: the line that says what is wrong.
func withoutUsage(out string) string {
	head, _, found := strings.Cut(out, " \n \nUsage: ")
	if !found {
		return out
	}
	return head + "\n"
}

// canonical is the options as one would type them without surprises:
// "--name=value" (so a value "-" or "-5:5" is never a flag), "--name" or
// "--no-name" for a switch; --extra-opts, already expanded, left out. It
// shows what the tokenizer made of a command line.
func canonical(opts []option, mask func(string) string) []string {
	out := make([]string, 0, len(opts))
	dash := false
	for _, o := range opts {
		switch {
		case o.unknown:
			out = append(out, mask(o.typed))
		case o.flag == nil:
			if o.afterDash && !dash {
				out, dash = append(out, "--"), true
			}
			out = append(out, mask(o.value))
		case o.is(extraoptsFlag):
		case o.negated:
			out = append(out, "--no-"+o.flag.name)
		case !o.flag.takesValue():
			out = append(out, "--"+o.flag.name)
		default:
			out = append(out, "--"+o.flag.name+"="+mask(o.value))
		}
	}
	return out
}

// TestWordsThatAreNoFlags: a word that is no flag's is refused by name,
// unless --version or --help-man came before it; --help after it does
// not hide it. A lone "-" is named too.
func TestWordsThatAreNoFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"foo"}, "UNKNOWN: usage: unexpected foo"},
		{[]string{"-"}, "UNKNOWN: usage: unexpected -"},
		{[]string{"--", "-v"}, "UNKNOWN: usage: unexpected -v"},
		{[]string{"foo", "--version"}, "UNKNOWN: usage: unexpected foo"},
		{[]string{"--help", "foo"}, "UNKNOWN: usage: unexpected foo"},
		{[]string{"-p", "99999", "foo"}, "UNKNOWN: usage: unexpected foo"},
		{[]string{"--version", "foo"}, "check_test dev"},
		{[]string{"-p", "99999", "--version"}, "check_test dev"},
		{[]string{"-p", "99999", "--help"}, "usage: check_test [<flags>]"},
		{[]string{"-p", "99999"}, "UNKNOWN: usage: --port: port must be 1-65535"},
	} {
		code, out := runWith(t, spec(false), nil, c.args...)
		if code != 3 || !strings.HasPrefix(out, c.want) {
			t.Errorf("%q: exit %d\n%s\nwant the start %q", c.args, code, out, c.want)
		}
	}
}

// TestNegatedForms: "--no-NAME" turns off a switch that turns a setting
// on. For a flag that asks for an answer (--help, --version) or adds up
// (-v) it is an unknown flag, on the command line as in an ini file:
// never the help, the version or one more -v.
func TestNegatedForms(t *testing.T) {
	ini := writeFile(t, "[s]\nno-version =\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--no-help"}, "UNKNOWN: usage: unknown long flag '--no-help'"},
		{[]string{"--no-help-long"}, "UNKNOWN: usage: unknown long flag '--no-help-long'"},
		{[]string{"--no-help-man"}, "UNKNOWN: usage: unknown long flag '--no-help-man'"},
		{[]string{"--no-version"}, "UNKNOWN: usage: unknown long flag '--no-version'"},
		{[]string{"--no-verbose"}, "UNKNOWN: usage: unknown long flag '--no-verbose'"},
		{[]string{"--no-port"}, "UNKNOWN: usage: unknown long flag '--no-port'"},
		{[]string{"--extra-opts=s@" + ini}, "UNKNOWN: usage: --extra-opts " + ini + " section [s] line 2: unknown option \"--no-version\""},
	} {
		code, out := runWith(t, spec(false), nil, c.args...)
		if line1, _, _ := strings.Cut(out, "\n"); code != 3 || strings.TrimSpace(line1) != c.want {
			t.Errorf("%q: exit %d\n%s\nwant exit 3 and line 1 %q", c.args, code, out, c.want)
		}
	}
	doc := writeFile(t, `{"app_status":"Ok"}`)
	for _, f := range []string{"tls", "insecure", "ipv4", "ipv6", "no-proxy"} {
		code, out := runWith(t, spec(false), nil, "--"+f, "--no-"+f, "--status-file", doc)
		if code != 0 || !strings.HasPrefix(out, "OK") {
			t.Errorf("--%s --no-%s: exit %d\n%s\nwant OK", f, f, code, out)
		}
	}
}

// TestBadProxyVariable: a proxy variable that names no proxy is the
// poller's configuration, not an outage of the PBX: UNKNOWN, naming the
// variable, its value shown without user and password and scrubbed of
// the check's password, before any connection.
// TestBadProxyVariableKeepsOurWords: the variable's value and what the
// reason quotes of it (the scheme) are outside text, scrubbed; the words
// around them stay whole whatever the password.
func TestBadProxyVariableKeepsOurWords(t *testing.T) {
	for _, c := range []struct {
		password string
		env      map[string]string
		args     []string
		want     string
	}{
		{"proxy", map[string]string{"HTTP_PROXY": "http://admin:proxy@[bad"}, nil,
			`UNKNOWN: HTTP_PROXY "http://***@[bad" is not a proxy address: not a URL; fix or unset it, or give --no-proxy`},
		{"socks9", map[string]string{"HTTPS_PROXY": "socks9://h:1080"}, []string{"-S"},
			`UNKNOWN: HTTPS_PROXY "***://h:1080" is not a proxy address: scheme "***": http, https, socks5 or socks5h; fix or unset it, or give --no-proxy`},
		{"e", map[string]string{"HTTP_PROXY": "http://h:99999"}, nil,
			`UNKNOWN: HTTP_PROXY "http://h:99999" is not a proxy address: port must be 1-65535; fix or unset it, or give --no-proxy`},
	} {
		args := append([]string{"-H", "192.0.2.7", "-u", "admin", "-P", c.password, "-t", "2"}, c.args...)
		code, out := runWith(t, spec(false), c.env, args...)
		if line1, _, _ := strings.Cut(out, " | "); code != 3 || line1 != c.want {
			t.Errorf("%v: exit %d\n%s\nwant exit 3 and line 1 %q", c.env, code, out, c.want)
		}
	}
}

func TestBadProxyVariable(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"HTTP_PROXY": "http://admin:" + password + "@[bad"}, nil,
			`UNKNOWN: HTTP_PROXY "http://***@[bad" is not a proxy address: not a URL; fix or unset it, or give --no-proxy`},
		{map[string]string{"http_proxy": "http://" + password + ":port"}, nil,
			`UNKNOWN: http_proxy "http://***:port" is not a proxy address: not a URL; fix or unset it, or give --no-proxy`},
		{map[string]string{"http_proxy": "http://%zz"}, nil,
			`UNKNOWN: http_proxy "http://%zz" is not a proxy address: a bad %-escape; fix or unset it, or give --no-proxy`},
		{map[string]string{"HTTPS_PROXY": "socks4://proxy:1080"}, []string{"-S"},
			`UNKNOWN: HTTPS_PROXY "socks4://proxy:1080" is not a proxy address: scheme "socks4": http, https, socks5 or socks5h; fix or unset it, or give --no-proxy`},
	} {
		args := append([]string{"-H", "192.0.2.7", "-u", "admin", "-P", password, "-t", "2"}, c.args...)
		code, out := runWith(t, spec(false), c.env, args...)
		if line1, _, _ := strings.Cut(out, " | "); code != 3 || line1 != c.want {
			t.Errorf("%v: exit %d\n%s\nwant exit 3 and line 1 %q", c.env, code, out, c.want)
		}
	}
}
