package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"check-itgrix/internal/check"
	"check-itgrix/internal/secret"
)

// scrubPasswords are the passwords of the scrubbing contract's table: each
// character class that sanitising or quoting rewrites, words and numbers
// the output uses, and one long enough for line 1 to cut.
var scrubPasswords = []struct{ name, pw string }{
	{"pipe", "pa|ss-pipe-7Qx2"},
	{"tab", "pa\tss-tab-7Qx2"},
	{"newline", "pa\nss-newline-7Qx2"},
	{"quotes", `qu"ot'es-7Qx2`},
	{"backslash", `back\slash-7Qx2`},
	{"non-ASCII", "пароль-Кириллица-📞"},
	{"1234", "1234"},
	{"time", "time"},
	{"status", "status"},
	{"Ok", "Ok"},
	{"40 chars", "Forty-character-password-cut-by-line-1Zz"},
}

// neutralPassword is what the reference runs use: it occurs nowhere.
const neutralPassword = "Neutral-Reference-Pw-0"

// scrubDoc is a status document whose server text carries pw wherever the
// checks show server text: app_err on line 1 (placed so that line 1's
// 100-character cut falls inside a 40-character password), the CRM host,
// the cache timestamp, the licence type and the connector's view of it.
// Numbers and the values the checks judge stay as a healthy host sends
// them; calls_queue is 1234.
func scrubDoc(t *testing.T, pw string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(sourceRoot, "testdata", "status", "bx-healthy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	app := doc["app"].(map[string]any)
	crm := app["crm"].(map[string]any)
	doc["app_status"], doc["app_state"] = "Error", "stopped"
	doc["app_err"] = "login to the CRM failed after 3 retries, server replied: bad credentials " + pw + " (code 401)\nsecond line " + pw
	crm["host"] = "https://" + pw + "@crm.example"
	crm["users_cache"].(map[string]any)["last_updated"] = "refreshed by " + pw
	crm["manager"].(map[string]any)["connector"].(map[string]any)["app_type"] = "LicenseType_" + pw
	doc["license"].(map[string]any)["type"] = "Custom " + pw
	app["calls_queue"].(map[string]any)["calls"] = 1234
	return doc
}

// replaceStrings replaces old by new in every string value of v.
func replaceStrings(v any, old, new string) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, old, new)
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = replaceStrings(e, old, new)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replaceStrings(e, old, new)
		}
		return out
	}
	return v
}

func writeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "status.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	reBytes  = regexp.MustCompile(`\d+ bytes`)
	reSource = regexp.MustCompile(`document: http://[^ ,]+,`)
)

// comparable leaves out what differs between two simulators: the size of
// the document and the URL -v names (which, being the user's input, is
// scrubbed too: with the password "status" it reads /***).
func comparable(s string) string {
	return reSource.ReplaceAllString(measured(s), "document: URL,")
}

// measured masks only what a run measures afresh (its time, a port, a
// date, a size), so that a password hidden in the user's URL stays visible.
func measured(s string) string {
	return reBytes.ReplaceAllString(normalise(s), "N bytes")
}

// forms are what of pw must not appear: pw itself, as sanitised and as
// Go-quoted, and every prefix of 12 characters or more of each.
func forms(pw string) []string {
	var out []string
	for _, f := range []string{pw, check.Text(pw), strconv.Quote(pw)[1 : len(strconv.Quote(pw))-1]} {
		r := []rune(f)
		for n := len(r); n >= 12; n-- {
			out = append(out, string(r[:n]))
		}
		if len(r) < 12 {
			out = append(out, f)
		}
	}
	return out
}

// assertNoForm fails when out holds a form of pw that the reference output
// (the same run without the password) does not: the password's words and
// digits are allowed where our own words and numbers carry them. What is
// measured afresh on each run (the time a check took, a port, a size) is
// masked in both first: a check that took 1.234 ms prints 'time'=0.001234s,
// which holds the password 1234 in one run and not in its reference.
func assertNoForm(t *testing.T, what, pw, out, reference string) {
	t.Helper()
	if f, ok := shownForm(pw, out, reference); ok {
		t.Errorf("%s: output shows %q of the password:\n%s", what, f, out)
	}
}

// shownForm is the first form of pw that out holds more often than
// reference, once what each run measured afresh is masked in both.
func shownForm(pw, out, reference string) (string, bool) {
	masked, maskedRef := measured(out), measured(reference)
	for _, f := range forms(pw) {
		if strings.Count(masked, f) > strings.Count(maskedRef, f) {
			return f, true
		}
	}
	return "", false
}

// TestShownForm pins the leak detector itself: a measured number that
// happens to hold the password is no leak, the password in server text or
// in the URL that -v repeats is.
func TestShownForm(t *testing.T) {
	const ref = "CRITICAL: 1234 calls queued | 'calls_queue'=1234;;;0; 'time'=0.004s;;;0;"
	cases := []struct {
		name, pw, out string
		want          string
	}{
		{"time holds it", "1234", "CRITICAL: 1234 calls queued | 'calls_queue'=1234;;;0; 'time'=0.001234s;;;0;", ""},
		{"port holds it", "1234", "CRITICAL: 1234 calls queued: cannot reach 127.0.0.1:41234 | 'calls_queue'=1234;;;0; 'time'=0.004s;;;0;", ""},
		{"size holds it", "1234", "CRITICAL: 1234 calls queued | 'calls_queue'=1234;;;0; 'time'=0.004s;;;0;\ndocument: 12345 bytes", ""},
		{"server text", "1234", "CRITICAL: 1234 calls queued: bad credentials 1234 | 'calls_queue'=1234;;;0; 'time'=0.004s;;;0;", "1234"},
		{"URL", "Forty-character-password-cut-by-line-1Zz", ref + "\ndocument: http://127.0.0.1:41234/status?p=Forty-character-password-cut-by-line-1Zz, 812 bytes", "Forty-character-password-cut-by-line-1Zz"},
		{"prefix", "Forty-character-password-cut-by-line-1Zz", ref + " app_err: Forty-charact…", "Forty-charact"},
	}
	for _, c := range cases {
		got, _ := shownForm(c.pw, c.out, ref)
		if got != c.want {
			t.Errorf("%s: shownForm = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestScrubbingContract is the contract of package secret, end to end: for
// every password of the table, given by flag, file and environment, at -v 0
// to 3, both plugins print exactly what they print for a server that sent
// "***" where this one sent the password, under a password that occurs
// nowhere. So the password is gone in every form, and nothing else changed:
// not the state, not the performance data ('calls_queue'=1234 with the
// password 1234), not our words ("time", "status", "Ok").
func TestScrubbingContract(t *testing.T) {
	for _, p := range scrubPasswords {
		t.Run(p.name, func(t *testing.T) {
			doc := scrubDoc(t, p.pw)
			base := startSim(t, "--password", p.pw, "--status-file", writeJSON(t, doc))
			ref := startSim(t, "--password", neutralPassword, "--status-file", writeJSON(t, replaceStrings(doc, p.pw, "***")))
			file := filepath.Join(t.TempDir(), "pass")
			if err := os.WriteFile(file, []byte(p.pw+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			sources := []struct {
				name string
				env  []string
				args []string
			}{
				{"flag", nil, []string{"-u", "admin", "-P", p.pw}},
				{"file", nil, []string{"-u", "admin", "--password-file", file}},
				{"environment", []string{"ITGRIX_USERNAME=admin", "ITGRIX_PASSWORD=" + p.pw}, nil},
			}
			for _, plug := range []string{"check_itgrix_app", "check_itgrix_license"} {
				for v := 0; v <= 3; v++ {
					verbose := []string{}
					if v > 0 {
						verbose = []string{"-" + strings.Repeat("v", v)}
					}
					want := plugin(t, nil, plug, append([]string{"--url", ref + "/status", "-u", "admin", "-P", neutralPassword}, verbose...)...)
					if want.Code != map[string]int{"check_itgrix_app": 2, "check_itgrix_license": 0}[plug] {
						t.Fatalf("reference run of %s: exit %d\n%s", plug, want.Code, want.Stdout)
					}
					for _, src := range sources {
						if src.name == "file" && strings.Contains(p.pw, "\n") {
							continue // a password file holds one line
						}
						args := append(append([]string{"--url", base + "/status"}, src.args...), verbose...)
						got := plugin(t, src.env, plug, args...)
						what := fmt.Sprintf("%s by %s -v%d", plug, src.name, v)
						if got.Code != want.Code || comparable(got.Stdout) != comparable(want.Stdout) {
							t.Errorf("%s: exit %d\n%s\nwant exit %d, as for a server that sent *** instead:\n%s", what, got.Code, got.Stdout, want.Code, want.Stdout)
						}
						assertNoForm(t, what, p.pw, got.Stdout, want.Stdout)
					}
				}
			}
		})
	}
}

// hostileEcho is a server that puts pw in a redirect's Location, in a
// Basic challenge's realm, and answers 404 elsewhere.
func hostileEcho(t *testing.T, pw string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect/status":
			w.Header().Set("Location", "/sso/login?session=expired&return_to=%2Fstatus&hint="+pw)
			w.WriteHeader(http.StatusFound)
		case "/basic/status":
			w.Header().Set("WWW-Authenticate", `Basic realm="Itgrix admin panel, log in with `+pw+`"`)
			w.WriteHeader(http.StatusUnauthorized)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestScrubbingErrorText: failures that repeat what the user or the server
// wrote — a flag value the parser rejects, a URL the server does not know,
// a redirect and a challenge that quote the password — show no form of it,
// for every password of the table that our own words cannot contain.
func TestScrubbingErrorText(t *testing.T) {
	base := startSim(t)
	for _, p := range scrubPasswords {
		if len(p.pw) < 8 {
			continue // 1234, time, status, Ok: TestScrubbingContract covers them
		}
		hostile := hostileEcho(t, p.pw)
		// A --status-file too large to read, named after the password.
		big := filepath.Join(t.TempDir(), p.pw+".json")
		if err := os.WriteFile(big, make([]byte, 4<<20+1), 0o600); err != nil {
			t.Fatal(err)
		}
		cases := [][]string{
			{"-u", "admin", "-P", p.pw, "--status-file", big},
			{"-u", "admin", "-P", p.pw, "-t", p.pw},
			{"-u", "admin", "-P", p.pw, "--queue-warning", p.pw},
			{"-u", "admin", "-P", p.pw, "--bogus", p.pw},
			{"-u", "admin", "-P", p.pw, "-H", p.pw + ":8077"},
			{"-u", "admin", "-P", p.pw, "--url", "ftp://pbx/" + p.pw},
			{"-u", "admin", "-P", p.pw, "--url", hostile.URL + "/" + p.pw + "/x/status"},
			{"-u", "admin", "-P", p.pw, "--url", hostile.URL + "/nope/status?p=" + p.pw},
			{"-u", "admin", "-P", p.pw, "-vvv", "--url", base + "/status?p=" + p.pw},
			{"-u", "admin", "-P", p.pw, "-vvv", "--url", "http://127.0.0.1:1/status?p=" + p.pw},
		}
		if !strings.ContainsAny(p.pw, "\n") {
			cases = append(cases,
				[]string{"-u", "admin", "-P", p.pw, "--url", hostile.URL + "/redirect/status"},
				[]string{"-u", "admin", "-P", p.pw, "--url", hostile.URL + "/basic/status"})
		}
		for _, plug := range []string{"check_itgrix_app", "check_itgrix_license"} {
			for _, args := range cases {
				r := plugin(t, []string{"ITGRIX_PASSWORD=" + p.pw}, plug, args...)
				assertNoForm(t, fmt.Sprintf("%s %s %q", p.name, plug, args[4:]), p.pw, r.Stdout, "")
			}
		}
	}
}

// ownWordsPasswords are short or common passwords that our words and
// numbers contain: each letter, digit and word here occurs in the messages
// TestOwnWordsWhole provokes.
var ownWordsPasswords = []string{"e", "t", "s", "b", "1", "0", "1234", "password", "status", "admin", "not", "the", "Ok"}

// TestOwnWordsWhole: on every failure path, the message is the same
// whatever the password, except where it repeats what the user typed or
// the server sent, which is masked. A password that our own words happen
// to contain ("e", "password", "status") must not garble them: "check
// login and password" stays whole under the password "password". Each
// case is run once with a password that occurs nowhere; the expected
// output for a password is that reference with the password masked in the
// user's and the server's strings it echoes (the case's echoes).
func TestOwnWordsWhole(t *testing.T) {
	base := startSim(t)
	odd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect/status":
			w.Header().Set("Location", "/login?next=/status")
			w.WriteHeader(http.StatusFound)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(odd.Close)
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notPEM := file("ca.pem", "not a certificate\n")
	notJSON := file("doc.json", "e-not-json")
	tooLarge := file("big.json", strings.Repeat(" ", 4<<20+1))
	ini := file("fleet.ini", "[pbx-1]\nusername=admin\n")
	missing := filepath.Join(dir, "no-such-file")
	const pw = "PW" // stands for the password in a case's args and env
	cases := []struct {
		name   string
		env    []string
		args   []string
		echoes []string
	}{
		{"refused", nil, []string{"--url", "http://127.0.0.1:1/status", "-u", "admin", "-P", pw}, []string{"127.0.0.1:1"}},
		{"auth failed", nil, []string{"--url", base + "/status", "-u", "admin", "-P", pw}, nil},
		{"404", nil, []string{"--url", base + "/x/status", "-u", "admin", "-P", pw}, []string{base + "/x/status"}},
		{"redirect", nil, []string{"--url", odd.URL + "/redirect/status", "-u", "admin", "-P", pw}, []string{odd.URL + "/redirect/status", "/login?next=/status"}},
		{"5xx", nil, []string{"--url", odd.URL + "/status", "-u", "admin", "-P", pw}, []string{strings.TrimPrefix(odd.URL, "http://")}},
		{"bad timeout", nil, []string{"-u", "admin", "-P", pw, "-t", "x"}, []string{"x"}},
		{"bad port", nil, []string{"-u", "admin", "-P", pw, "-p", "99999"}, []string{"99999"}},
		{"URL in -H", nil, []string{"-u", "admin", "-P", pw, "-H", "pbx/x"}, []string{"pbx/x"}},
		{"unknown flag", nil, []string{"-u", "admin", "-P", pw, "--bogus"}, []string{"--bogus"}},
		{"password twice", nil, []string{"-u", "admin", "-P", pw, "--password-file", notPEM}, nil},
		{"no login", nil, []string{"-P", pw}, nil},
		{"missing password file", []string{"ITGRIX_PASSWORD=" + pw}, []string{"-u", "admin", "--password-file", missing}, []string{missing}},
		{"CA file not PEM", nil, []string{"--url", "https://127.0.0.1:1/status", "-u", "admin", "-P", pw, "--ca-file", notPEM}, []string{notPEM}},
		{"not JSON", nil, []string{"-P", pw, "--status-file", notJSON}, []string{notJSON, "e-not-json"}},
		{"status file too large", nil, []string{"-P", pw, "--status-file", tooLarge}, []string{tooLarge}},
		{"no such section", nil, []string{"-P", pw, "--extra-opts=pbx-2@" + ini}, []string{ini, "pbx-2"}},
		{"cache ages crossed", nil, []string{"-u", "admin", "-P", pw, "--cache-age-warning", "1h", "--cache-age-critical", "10m"}, nil},
		{"licence flag on the app check", nil, []string{"-u", "admin", "-P", pw, "-w", "5"}, nil},
		{"bad range", nil, []string{"-u", "admin", "-P", pw, "--queue-warning", "5:x"}, []string{`"5:x"`, `"x"`}},
	}
	with := func(ss []string, p string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = strings.ReplaceAll(s, pw, p)
		}
		return out
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ref := plugin(t, with(c.env, neutralPassword), "check_itgrix_app", with(c.args, neutralPassword)...)
			if ref.Code == 0 || strings.Contains(ref.Stdout, neutralPassword) {
				t.Fatalf("reference run: exit %d\n%s", ref.Code, ref.Stdout)
			}
			// The echoes are masked longest first, as the checks mask a
			// whole URL before any part of it.
			echoes := slices.Clone(c.echoes)
			slices.SortFunc(echoes, func(a, b string) int { return len(b) - len(a) })
			for _, p := range ownWordsPasswords {
				want := ref.Stdout
				for _, e := range echoes {
					want = strings.ReplaceAll(want, e, secret.Scrub(e, p))
				}
				got := plugin(t, with(c.env, p), "check_itgrix_app", with(c.args, p)...)
				if got.Code != ref.Code || measured(got.Stdout) != measured(want) {
					t.Errorf("password %q: exit %d\n%s\nwant exit %d\n%s", p, got.Code, got.Stdout, ref.Code, want)
				}
			}
		})
	}
}
