package check

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// mask is a scrubber for the password "e" in its raw and quoted forms:
// a password that every sentence of ours contains.
func mask(s string) string { return strings.ReplaceAll(s, "e", "***") }

// twoArgs is a format whose arguments vet cannot count.
var twoArgs = "need %s and %s"

// TestMessageMarks: our words are never masked, whatever the password;
// every outside part is, in every form an argument can take.
func TestMessageMarks(t *testing.T) {
	u, _ := url.Parse("http://pbx.example/status")
	cases := []struct {
		name string
		m    Message
		want string
	}{
		{"format only", Say("the check ended here"), "the check ended here"},
		{"string is outside", Say("-H %s: not a host", "pbx.example"), "-H pbx.***xampl***: not a host"},
		{"quoted after scrubbing", Say("got %q", "ab\te"), `got "ab\t***"`},
		{"width after scrubbing", Say("[%-6s]", "e"), "[***   ]"},
		{"error is outside", Say("read failed: %s", errors.New("permission denied")), "read failed: p***rmission d***ni***d"},
		{"stringer is outside", Say("at %s", u), "at http://pbx.***xampl***/status"},
		{"bytes are outside", Say("body %s", []byte("eee")), "body *********"},
		{"own-marked string", Say("see %s", Ours("--extra-opts")), "see --extra-opts"},
		{"own-marked quoted", Say("flag %q", Ours("e")), `flag "e"`},
		{"numbers are ours", Say("%d MiB, %.1f s, %v", 4, 1.5, true), "4 MiB, 1.5 s, true"},
		{"percent", Say("100%% sure: %s", "e"), "100% sure: ***"},
		{"missing argument", Say(twoArgs, "e"), "need *** and %!s(MISSING)"},
		{"nested message keeps marks", Say("outer e %s", Say("inner e %s", "e")), "outer e inner e ***"},
		{"error telling a message keeps marks", Say("outer: %s", Errorf("inner e %s", "e")), "outer: inner e ***"},
		{"shaped: cut after scrubbing", Say("header %s", Shaped("abcdefe-tail", func(s string) string { return s[:6] })), "header abcd**"},
		{"shaped then quoted", Say("starts %q", Shaped("e\nrest", func(s string) string { first, _, _ := strings.Cut(s, "\n"); return first })), `starts "***"`},
		{"unsupported verb: all outside", Say("%[1]s e", "x"), "x ***"},
	}
	for _, c := range cases {
		if got := c.m.Text(mask); got != c.want {
			t.Errorf("%s: Text = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestMessageScrubsBeforeCutting: a cut or a quote applied to outside
// text comes after scrubbing, so neither the quoted form nor a prefix of
// a long password survives.
func TestMessageScrubsBeforeCutting(t *testing.T) {
	pw := "Forty-character-password-cut-by-line-1Zz"
	scrub := func(s string) string { return strings.ReplaceAll(s, pw, "***") }
	cut := func(s string) string {
		if len(s) > 20 {
			return s[:20] + "..."
		}
		return s
	}
	got := Say("server said %s", Shaped("login "+pw, cut)).Text(scrub)
	if got != "server said login ***" {
		t.Errorf("cut: %q", got)
	}
	tab := "pa\tss-word"
	got = Say("got %q", tab).Text(func(s string) string { return strings.ReplaceAll(s, tab, "***") })
	if got != `got "***"` {
		t.Errorf("quoted: %q", got)
	}
}

// TestErrorfWrapsAndTells: %w nests with the marks kept, the error
// unwraps, and Shown uses the Message.
func TestErrorfWrapsAndTells(t *testing.T) {
	inner := Errorf("range %q: end %s", "e:x", Ours("is missing"))
	outer := Errorf("--queue-warning: %w", inner)
	if !errors.Is(outer, inner) {
		t.Error("%w does not unwrap")
	}
	if got, want := outer.Error(), `--queue-warning: range "e:x": end is missing`; got != want {
		t.Errorf("Error = %q, want %q (as told, nothing scrubbed)", got, want)
	}
	if got, want := Shown(outer, mask), `--queue-warning: range "***:x": end is missing`; got != want {
		t.Errorf("Shown = %q, want %q", got, want)
	}
}

// TestShownFallsBackToScrubbingWhole: an error that carries no Message, or
// one wrapped in words the Message does not tell, is scrubbed whole:
// garbled at worst, never leaking.
func TestShownFallsBackToScrubbingWhole(t *testing.T) {
	told := Errorf("port must be 1-65535, got %q", "e")
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"plain error", errors.New("be quiet"), "b*** qui***t"},
		{"told", told, `port must be 1-65535, got "***"`},
		{"wrapped by fmt", fmt.Errorf("flag e: %w", told), `flag ***: port must b*** 1-65535, got "***"`},
		{"format say cannot read", Errorf("%[1]s be", "x"), "x b***"},
	}
	for _, c := range cases {
		if got := Shown(c.err, mask); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestMapOutside: a value hidden in the outside parts only.
func TestMapOutside(t *testing.T) {
	m := Say("value %q for port must be %d or more", "be", 1).MapOutside(func(s string) string { return strings.ReplaceAll(s, "be", "***") })
	if got := m.String(); got != `value "***" for port must be 1 or more` {
		t.Errorf("%q", got)
	}
}

// TestCheckParseErrorsAreTold: the errors check's parsers return echo
// the user's input; each is told by a Message, so its words stay whole
// when shown.
func TestCheckParseErrorsAreTold(t *testing.T) {
	var f Format
	_, rangeErr := ParseRange("e:x")
	_, stateErr := ParseState("e")
	hide := strings.NewReplacer(`"e:x"`, `"***:x"`, `"e"`, `"***"`)
	for _, err := range []error{rangeErr, stateErr, f.Set("e")} {
		if _, ok := Told(err); !ok {
			t.Errorf("%q is told by no Message", err)
		}
		if got, want := Shown(err, mask), hide.Replace(err.Error()); got != want {
			t.Errorf("shown as %q, want %q", got, want)
		}
	}
}
