package check

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text makes a string from the server safe for one line of plugin output: no
// '|' (Nagios would take the rest for performance data), no control or
// invisible format characters (line breaks, escape sequences, bidi
// overrides), valid UTF-8, runs of white space folded into one space.
func Text(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '|':
			r = '/'
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isPlain is the fast path: printable ASCII without '|' and without double
// or edge spaces needs no rewriting, which is what a healthy document holds.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '|' {
			return false
		}
		if c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// Lines sanitises multi-line server text for the long output: each line as
// Text does, empty lines dropped.
func Lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = Text(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Shorten cuts already sanitised text to at most max runes, marking the cut
// with an ellipsis, so one long server message cannot push line 1 past what
// a pager or an SMS shows.
func Shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		n++
	}
	return s
}

// Quote shows a server value in a message: sanitised, shortened, in quotes,
// so an empty or blank value is still visible.
func Quote(s string) string {
	return `"` + Shorten(Text(s), 60) + `"`
}
