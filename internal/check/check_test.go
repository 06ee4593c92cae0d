package check

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"check-itgrix/internal/test/golden"
)

func TestWorst(t *testing.T) {
	cases := []struct {
		in   []State
		want State
	}{
		{nil, OK},
		{[]State{OK}, OK},
		{[]State{OK, Unknown}, Unknown},
		{[]State{Unknown, Warning}, Warning},
		{[]State{Warning, Unknown, OK}, Warning},
		{[]State{Critical, Unknown}, Critical},
		{[]State{Unknown, Critical, Warning}, Critical},
	}
	for _, c := range cases {
		if got := Worst(c.in...); got != c.want {
			t.Errorf("Worst(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseState(t *testing.T) {
	for in, want := range map[string]State{"ok": OK, "OK": OK, "0": OK, "Warning": Warning, "1": Warning, "critical": Critical, "2": Critical, "unknown": Unknown, "3": Unknown} {
		if got, err := ParseState(in); err != nil || got != want {
			t.Errorf("ParseState(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "down", "4", "dependent", "-1"} {
		if _, err := ParseState(in); err == nil {
			t.Errorf("ParseState(%q) accepted", in)
		}
	}
}

func TestText(t *testing.T) {
	cases := map[string]string{
		"plain text":                    "plain text",
		"a|b":                           "a/b",
		"line1\nline2\r\n":              "line1 line2",
		"tab\there":                     "tab here",
		"  padded   spaces  ":           "padded spaces",
		"esc\x1b[31mred\x1b[0m":         "esc [31mred [0m",
		"bell\x07nul\x00del\x7f":        "bell nul del",
		"c1\u0085next":                  "c1 next",
		"bidi\u202eesrever\u202c":       "bidiesrever",
		"zero\u200bwidth":               "zerowidth",
		"bad utf8 \xff\xfe end":         "bad utf8 \uFFFD end",
		"Кириллица и emoji 📞":           "Кириллица и emoji 📞",
		"":                              "",
		"|||":                           "///",
		"perf'='1;2;3 | 'x'=1":          "perf'='1;2;3 / 'x'=1",
		"\n\n":                          "",
		"trailing\u00a0nbsp\u00a0":      "trailing nbsp",
		"line sep\u2028para sep\u2029.": "line sep para sep .",
	}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLinesAndShorten(t *testing.T) {
	if got := Lines("one|1\n\n two \r\nthree"); strings.Join(got, "/") != "one/1/two/three" {
		t.Errorf("Lines: %q", got)
	}
	if got := Shorten("abcdef", 6); got != "abcdef" {
		t.Errorf("Shorten kept: %q", got)
	}
	if got := Shorten("abcdefg", 6); got != "abcde…" {
		t.Errorf("Shorten cut: %q", got)
	}
	if got := Shorten("абвгдеж", 4); got != "абв…" {
		t.Errorf("Shorten runes: %q", got)
	}
}

// TestParseRange pins every form of the plugin guidelines' range against
// monitoring-plugins' parse_range_string and check_range: ends inclusive,
// "10" is 0..10, "~:" spans everything (never alerts), "@~:" always
// alerts, a start above the end is refused.
func TestParseRange(t *testing.T) {
	type probe struct {
		v     float64
		alert bool
	}
	inf := math.Inf(1)
	cases := []struct {
		spec   string
		perf   string // as repeated in performance data
		probes []probe
	}{
		{"10", "10", []probe{{-1, true}, {-0.001, true}, {0, false}, {10, false}, {10.5, true}}},
		{"@10", "@10", []probe{{-1, false}, {0, true}, {5, true}, {10, true}, {10.01, false}}},
		{"10:", "10:", []probe{{-inf, true}, {9.99, true}, {10, false}, {1e9, false}}},
		{"@10:", "@10:", []probe{{9.99, false}, {10, true}, {1e9, true}}},
		{"~:10", "~:10", []probe{{-1e9, false}, {10, false}, {11, true}}},
		{"@~:10", "@~:10", []probe{{-5, true}, {10, true}, {11, false}}},
		{"10:20", "10:20", []probe{{9, true}, {10, false}, {20, false}, {21, true}}},
		{"@10:20", "@10:20", []probe{{9, false}, {10, true}, {20, true}, {21, false}}},
		{"~:", "~:", []probe{{-inf, false}, {-1e300, false}, {0, false}, {1e300, false}}},
		{"@~:", "@~:", []probe{{-1e300, true}, {0, true}, {1e300, true}}},
		{"5:5", "5:5", []probe{{4.9, true}, {5, false}, {5.1, true}}},
		{"0", "0", []probe{{0, false}, {1, true}, {-1, true}}},
		{"-5:5", "-5:5", []probe{{-6, true}, {-5, false}, {5, false}, {6, true}}},
		{"-10:-5", "-10:-5", []probe{{-11, true}, {-10, false}, {-5, false}, {-4, true}}},
		{"@-10:-5", "@-10:-5", []probe{{-7, true}, {0, false}}},
		{"~:-5", "~:-5", []probe{{-6, false}, {-5, false}, {-4, true}}},
		{"-5:", "-5:", []probe{{-6, true}, {-5, false}}},
		{"0.5:1.5", "0.5:1.5", []probe{{0.4, true}, {0.5, false}, {1, false}, {1.6, true}}},
		{".5", "0.5", []probe{{0.5, false}, {0.51, true}}},
		{"1e1", "10", []probe{{10, false}, {11, true}}},
		{"1E+1:2.5e1", "10:25", []probe{{9, true}, {25, false}, {26, true}}},
		{"@1e-3:", "@0.001:", []probe{{0.0009, false}, {0.001, true}}},
		{"+3", "3", []probe{{3, false}, {3.5, true}}},
		{" 10 ", "10", []probe{{11, true}}},
		{"-0:0", "0:0", []probe{{0, false}, {-0.1, true}}},
	}
	for _, c := range cases {
		r, err := ParseRange(c.spec)
		if err != nil {
			t.Errorf("ParseRange(%q): %v", c.spec, err)
			continue
		}
		if r.String() != c.perf {
			t.Errorf("ParseRange(%q).String() = %q, want %q", c.spec, r.String(), c.perf)
		}
		for _, p := range c.probes {
			if got := r.Alerts(p.v); got != p.alert {
				t.Errorf("range %q, value %v: alert %v, want %v", c.spec, p.v, got, p.alert)
			}
			if got := refAlerts(c.spec, p.v); got != p.alert {
				t.Errorf("reference: range %q, value %v: alert %v, want %v", c.spec, p.v, got, p.alert)
			}
		}
	}
	for _, bad := range []string{"", " ", "abc", "1.2.3", "10:5", "@20:10", "-4:-5", "~", "@", ":", ":10", "10:~", "~:~", "5ms",
		"10:abc", "1:2:3", "NaN", "nan", "Inf", "-inf", "1e999", "1e300", "1e-300", "0x10", "@@10", "10 20", "1_000", "1e", "e5", "--5", "5-"} {
		if r, err := ParseRange(bad); err == nil {
			t.Errorf("ParseRange(%q) accepted: %+v", bad, r)
		}
	}
}

// refAlerts is parse_range_string followed by check_range from
// monitoring-plugins' lib/utils_base.c, transcribed for the inputs our
// grammar accepts: the reference the table above is checked against.
func refAlerts(spec string, v float64) bool {
	str := strings.TrimSpace(spec)
	start, startInf, end, endInf, inside := 0.0, false, 0.0, true, false
	if strings.HasPrefix(str, "@") {
		inside, str = true, str[1:]
	}
	endStr := str
	if i := strings.IndexByte(str, ':'); i >= 0 {
		if str[0] == '~' {
			startInf = true
		} else {
			start, _ = strconv.ParseFloat(str[:i], 64)
		}
		endStr = str[i+1:]
	}
	if endStr != "" {
		end, _ = strconv.ParseFloat(endStr, 64)
		endInf = false
	}
	no, yes := false, true
	if inside {
		no, yes = true, false
	}
	switch {
	case !endInf && !startInf:
		if start <= v && v <= end {
			return no
		}
		return yes
	case !startInf && endInf:
		if start <= v {
			return no
		}
		return yes
	case startInf && !endInf:
		if v <= end {
			return no
		}
		return yes
	}
	return no
}

func TestDescribe(t *testing.T) {
	cases := []struct {
		spec string
		v    float64
		want string
	}{
		{"10", 11, "above 10"}, {"10", -1, "below 0"}, {"10:", 3, "below 10"}, {"1e1:", 3, "below 10"},
		{"~:10", 12, "above 10"}, {"10:20", 25, "above 20"}, {"10:20", 5, "below 10"}, {"@10:20", 15, "inside 10:20"},
		{"@10", 5, "inside 0:10"}, {"@~:10", 5, "inside ~:10"}, {"@10:", 50, "inside 10:"}, {"@~:", 7, "inside ~: (any value)"},
		{"-5:-1", 0, "above -1"},
	}
	for _, c := range cases {
		r, err := ParseRange(c.spec)
		if err != nil || !r.Alerts(c.v) {
			t.Fatalf("%q at %v: %v, alerts %v", c.spec, c.v, err, r.Alerts(c.v))
		}
		if got := r.Describe(c.v); got != c.want {
			t.Errorf("%q at %v: %q, want %q", c.spec, c.v, got, c.want)
		}
	}
}

func sample() Result {
	return Result{
		State:   Warning,
		Summary: "Itgrix restarting (status Warning): net | down",
		Long:    []string{"app_state: \"restarting\"", "CRM: bitrix"},
		Perf: []Perf{
			{Label: "calls_queue", Value: 12, Warn: "10", Crit: "@20:30", Min: "0"},
			{Label: "time", Value: 0.0042, UOM: "s", Min: "0"},
			{Label: "app_state", Value: 1, Min: "0", Max: "2"},
		},
	}
}

func TestWriteGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sample(), 0, IcingaWeb2); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "output/long.txt", buf.String())

	buf.Reset()
	_ = Write(&buf, Result{State: OK, Summary: "fine", Perf: []Perf{{Label: "time", Value: 0.5, UOM: "s"}}}, 0, IcingaWeb2)
	golden.Assert(t, "output/one-line.txt", buf.String())

	// Judged parts: a marked line each, in its own state, before the
	// facts; a part without a line has none; classic leaves the marks out.
	r := sample()
	r.Parts = []Part{
		{State: Warning, Phrase: "ignored here", Line: `app_state: "restarting"`},
		{State: Critical, Phrase: "no line"},
		{State: OK, Line: "CRM: bitrix | link on"},
	}
	r.Long = []string{"licence: Professional"}
	for _, f := range []Format{IcingaWeb2, Classic} {
		buf.Reset()
		_ = Write(&buf, r, 0, f)
		golden.Assert(t, "output/parts-"+f.String()+".txt", buf.String())
	}

	buf.Reset()
	_ = Write(&buf, Fail(Unknown, "usage: bad flag"), 0, IcingaWeb2)
	if buf.String() != "UNKNOWN: usage: bad flag\n" {
		t.Errorf("no-perfdata output %q", buf.String())
	}

	buf.Reset()
	_ = Write(&buf, Result{State: Critical}, 0, IcingaWeb2)
	if buf.String() != "CRITICAL: no result\n" {
		t.Errorf("empty summary output %q", buf.String())
	}
}

func TestWriteKeepsDefaultOutputSmall(t *testing.T) {
	r := sample()
	for i := 0; i < 100; i++ {
		r.Long = append(r.Long, strings.Repeat("long line ", 10))
	}
	r.Summary = strings.Repeat("summary ", 100)
	var buf bytes.Buffer
	_ = Write(&buf, r, 0, IcingaWeb2)
	out := buf.String()
	if len(out) > MaxDefaultOutput {
		t.Errorf("default output %d bytes", len(out))
	}
	if !strings.Contains(out, "'calls_queue'=12;10;@20:30;0;") || !strings.Contains(out, trimMarker) {
		t.Errorf("trimmed output lost perfdata or marker:\n%s", out)
	}
	line1, _, _ := strings.Cut(out, "\n")
	if n := len([]rune(line1)); n > maxSummary+20 {
		t.Errorf("line 1 has %d runes", n)
	}
	buf.Reset()
	_ = Write(&buf, r, 1, IcingaWeb2)
	if buf.Len() < 10000 || strings.Contains(buf.String(), trimMarker) {
		t.Errorf("-v output trimmed: %d bytes", buf.Len())
	}
}

// TestWriteTrimsOneHugeLine: a single long line is cut, not dropped whole.
func TestWriteTrimsOneHugeLine(t *testing.T) {
	r := Result{State: Critical, Summary: "x", Long: []string{strings.Repeat("é", 2000)}}
	var buf bytes.Buffer
	_ = Write(&buf, r, 0, IcingaWeb2)
	if buf.Len() > MaxDefaultOutput || !strings.Contains(buf.String(), "éé…") || !strings.Contains(buf.String(), trimMarker) {
		t.Errorf("%d bytes:\n%s", buf.Len(), buf.String())
	}
	if !strings.HasSuffix(buf.String(), "\n") {
		t.Error("no final newline")
	}
}

// TestWriteSanitisesEveryLine: whatever an evaluator puts in the long
// output, no '|' or line break of its own reaches Nagios.
func TestLineOneByteBound(t *testing.T) {
	var buf bytes.Buffer
	_ = Write(&buf, Result{State: OK, Summary: strings.Repeat("📞", 300)}, 0, IcingaWeb2)
	if line1, _, _ := strings.Cut(buf.String(), "\n"); len(line1) > len("OK: ")+maxSummaryBytes {
		t.Errorf("line 1 is %d bytes", len(line1))
	}
}

func TestWriteSanitisesEveryLine(t *testing.T) {
	r := Result{State: OK, Summary: "a|b\nc", Long: []string{"x|y", "two\nlines", "\x1b[0m", ""}, Perf: []Perf{{Label: "time", Value: 1, UOM: "s"}}}
	var buf bytes.Buffer
	_ = Write(&buf, r, 1, IcingaWeb2)
	want := "OK: a/b c \n \nx/y \ntwo lines \n[0m \n | 'time'=1s;;;; \n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}

// TestPerfNumbers: performance data carry plain decimals only; a value
// without a short plain form is left out and named in the long output.
func TestPerfNumbers(t *testing.T) {
	cases := []struct {
		v    float64
		perf string // "" when left out
		text string
	}{
		{0, "0", "0"}, {math.Copysign(0, -1), "0", "0"}, {12, "12", "12"}, {-3, "-3", "-3"},
		{0.0042, "0.0042", "0.0042"}, {1e-7, "0.0000001", "0.0000001"}, {123456.5, "123456.5", "123456.5"},
		{1e19, "10000000000000000000", "10000000000000000000"},
		{1e20, "", "1e+20"}, {1e-20, "", "1e-20"},
		{math.MaxFloat64, "", "1.7976931348623157e+308"}, {-math.MaxFloat64, "", "-1.7976931348623157e+308"},
		{math.NaN(), "", "NaN"}, {math.Inf(1), "", "+Inf"},
	}
	for _, c := range cases {
		if got := FormatNumber(c.v); got != c.text {
			t.Errorf("FormatNumber(%v) = %q, want %q", c.v, got, c.text)
		}
		var buf bytes.Buffer
		_ = Write(&buf, Result{State: OK, Summary: "s", Perf: []Perf{{Label: "n", Value: c.v, Min: "0"}, {Label: "time", Value: 0.5, UOM: "s"}}}, 0, IcingaWeb2)
		out := buf.String()
		_, perf, _ := strings.Cut(out, "|")
		if c.perf != "" {
			if !strings.Contains(perf, "'n'="+c.perf+";;;0;") || strings.Contains(out, "left out") {
				t.Errorf("%v: %q", c.v, out)
			}
			continue
		}
		if strings.Contains(perf, "'n'") || !strings.Contains(out, "\nn left out of the performance data: "+c.text+" ") || !strings.Contains(perf, "'time'=0.5s") {
			t.Errorf("%v not left out with a note: %q", c.v, out)
		}
	}
}

// TestAbsurdValuesStaySmall: five absurd counts and a huge summary still
// give a default output under MaxDefaultOutput, with the notes kept.
func TestAbsurdValuesStaySmall(t *testing.T) {
	r := Result{State: Warning, Summary: strings.Repeat("1.7976931348623157e+308 calls queued ", 20)}
	for _, l := range []string{"calls_queue", "calls_storage", "crm_batch_queue", "users_cache_users", "users_cache_phones"} {
		r.Perf = append(r.Perf, Perf{Label: l, Value: math.MaxFloat64, Min: "0"})
		r.Long = append(r.Long, strings.Repeat("x", 300))
	}
	r.Perf = append(r.Perf, Perf{Label: "time", Value: 0.001, UOM: "s", Min: "0"})
	var buf bytes.Buffer
	_ = Write(&buf, r, 0, IcingaWeb2)
	if buf.Len() > MaxDefaultOutput || !strings.Contains(buf.String(), "calls_queue left out") || strings.Count(buf.String(), "|") != 1 {
		t.Errorf("%d bytes:\n%s", buf.Len(), buf.String())
	}
}

// TestStateRanges: for every mapping of three codes to states, each code
// alerts under the ranges exactly as its state does, or the range is left
// out; and the common mappings give the short forms.
func TestStateRanges(t *testing.T) {
	all := []State{OK, Warning, Critical, Unknown}
	for _, a := range all {
		for _, b := range all {
			for _, c := range all {
				states := []State{a, b, c}
				warn, crit := StateRanges(states...)
				for _, r := range []struct {
					spec   string
					alerts func(State) bool
				}{{warn, func(s State) bool { return s != OK }}, {crit, func(s State) bool { return s == Critical }}} {
					if r.spec == "" {
						for _, s := range states {
							if r.alerts(s) {
								t.Errorf("%v: a range left out though %v alerts", states, s)
							}
						}
						continue
					}
					rg, err := ParseRange(r.spec)
					if err != nil {
						t.Fatalf("%v: %q: %v", states, r.spec, err)
					}
					for code, s := range states {
						if rg.Alerts(float64(code)) != r.alerts(s) {
							t.Errorf("%v: range %q alerts %v at code %d (%v)", states, r.spec, rg.Alerts(float64(code)), code, s)
						}
					}
				}
			}
		}
	}
	for _, c := range []struct {
		states     []State
		warn, crit string
	}{
		{[]State{OK, Warning, Critical}, "0", "1"},
		{[]State{OK, Critical, Critical}, "0", "0"},
		{[]State{OK, Warning, Warning}, "0", ""},
		{[]State{OK, OK, OK}, "", ""},
		{[]State{Critical, Critical, OK}, "2:", "2:"},
		{[]State{Critical, OK, Warning}, "1:1", "1:"},
		{[]State{OK, Critical, Warning}, "0", "@1:1"},
	} {
		if w, cr := StateRanges(c.states...); w != c.warn || cr != c.crit {
			t.Errorf("StateRanges(%v) = %q, %q; want %q, %q", c.states, w, cr, c.warn, c.crit)
		}
	}
}

func TestFormatFlagValue(t *testing.T) {
	var f Format
	for in, want := range map[string]Format{"icingaweb2": IcingaWeb2, "IcingaWeb2": IcingaWeb2, " classic ": Classic} {
		if err := f.Set(in); err != nil || f != want {
			t.Errorf("Set(%q) = %v, %v; want %v", in, f, err, want)
		}
	}
	for _, in := range []string{"", "one-line", "summary-only", "multi-line"} {
		if err := f.Set(in); err == nil || !strings.Contains(err.Error(), "icingaweb2 or classic") {
			t.Errorf("Set(%q): %v", in, err)
		}
	}
	if Format(0).String() != "icingaweb2" || Classic.String() != "classic" {
		t.Errorf("names %q %q", Format(0), Classic)
	}
}

// TestCombineLeadsWithTheWorst: the most severe phrases first, ties in
// the evaluator's order, empty phrases left out, the worst state.
func TestCombineLeadsWithTheWorst(t *testing.T) {
	st, line1 := Combine(
		Part{State: OK, Phrase: "a"}, Part{State: Warning, Phrase: "b"}, Part{State: Unknown, Phrase: "c"},
		Part{State: Critical, Phrase: "d"}, Part{State: Critical}, Part{State: Warning, Phrase: "e"}, Part{State: Critical, Phrase: "f"})
	if st != Critical || line1 != "d, f, b, e, c, a" {
		t.Errorf("%v %q", st, line1)
	}
	if st, line1 := Combine(); st != OK || line1 != "" {
		t.Errorf("no parts: %v %q", st, line1)
	}
}
