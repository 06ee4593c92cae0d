package check

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzText: sanitised text is valid UTF-8, one line, without '|' or
// control characters, and sanitising is idempotent.
//
//	go test -run '^$' -fuzz '^FuzzText$' -fuzztime 10m ./internal/check
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "plain", "a|b", "x\ny\r\n", "\x1b[31m", "\u202eevil", "\xff\xfe", " lead", "trail ", "a  b", "\u2028", "Кириллица"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !utf8.ValidString(out) || strings.ContainsAny(out, "|\n\r") {
			t.Fatalf("Text(%q) = %q", s, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("Text(%q) kept %U", s, r)
			}
		}
		if again := Text(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		short := Shorten(out, 20)
		if utf8.RuneCountInString(short) > 20 || !utf8.ValidString(short) {
			t.Fatalf("Shorten(%q) = %q", out, short)
		}
	})
}

// FuzzParseRange: a range is accepted only if each end is a plain number
// (or ~), an accepted range alerts exactly as monitoring-plugins'
// check_range would, and it goes into performance data in the guidelines'
// grammar.
//
//	go test -run '^$' -fuzz '^FuzzParseRange$' -fuzztime 10m ./internal/check
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"10", "10:", "~:10", "10:20", "@10:20", "@~:10", "-5:5", "1.2.3", "5ms", "abc", "20:10", "@", "~", ":", "1e5:1e6", "+3", "~:", "@~:", "@10", "-1e1:-.5"} {
		f.Add(s, 15.0)
	}
	f.Fuzz(func(t *testing.T, spec string, v float64) {
		r, err := ParseRange(spec)
		if err != nil {
			return
		}
		body := strings.TrimPrefix(strings.TrimSpace(spec), "@")
		for _, part := range strings.Split(body, ":") {
			if part == "" || part == "~" {
				continue
			}
			if strings.ContainsAny(part, " \t|;") {
				t.Fatalf("ParseRange(%q) accepted %q", spec, part)
			}
		}
		if r.Alerts(v) != refAlerts(spec, v) {
			t.Fatalf("range %q at %v: alert %v, monitoring-plugins says %v", spec, v, r.Alerts(v), !r.Alerts(v))
		}
		_ = r.Describe(v)
		if !perfRange.MatchString(r.String()) {
			t.Fatalf("range %q goes into performance data as %q", spec, r.String())
		}
	})
}

// FuzzWrite: whatever the result holds, the output has one '|' at most,
// ends in a newline, starts with the state, and stays under the 1000-byte limit by default.
//
//	go test -run '^$' -fuzz '^FuzzWrite$' -fuzztime 10m ./internal/check
func FuzzWrite(f *testing.F) {
	f.Add("summary", "long line", 2)
	f.Add("a|b\nc", strings.Repeat("x|", 600), 0)
	f.Fuzz(func(t *testing.T, summary, long string, state int) {
		st := State(((state % 4) + 4) % 4)
		var buf bytes.Buffer
		parts := []Part{{State: st, Phrase: summary, Line: long}, {Line: summary}}
		_ = Write(&buf, Result{State: st, Summary: summary, Parts: parts, Long: strings.Split(long, "\n"),
			Perf: []Perf{{Label: "time", Value: 1, UOM: "s"}}}, 0, Format(state&1))
		out := buf.String()
		if strings.Count(out, "|") != 1 || !strings.HasSuffix(out, "\n") || !strings.HasPrefix(out, st.String()+": ") || len(out) > MaxDefaultOutput {
			t.Fatalf("bad output (%d bytes):\n%s", len(out), out)
		}
	})
}

// perfRange is the guidelines' range in performance data with plain
// decimal numbers.
var perfRange = regexp.MustCompile(`^@?((~|-?[0-9]+(\.[0-9]+)?):)?(-?[0-9]+(\.[0-9]+)?)?$`)
