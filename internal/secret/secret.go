// Package secret scrubs the password out of text before that text can
// reach plugin output. It holds the scrubbing contract:
//
//   - What is scrubbed: text the server supplies (every string element of the
//     status document, header values such as Location and WWW-Authenticate,
//     the character a JSON error quotes, transport error text) and what a
//     message repeats of the user's input (the URL, host, file and section
//     names, flag values, a recovered panic).
//   - How: there are two places, and only two. The status document is
//     scrubbed by its schema (itgrix.Status.Scrubbed) before any check
//     evaluates it. Every message (an error, a usage error, the -v lines) is
//     a check.Message, which marks each part as the plugin's own words or as
//     text from outside: check.Say and check.Errorf read like fmt, string,
//     error and fmt.Stringer arguments are outside text unless marked
//     check.Ours, and a nested Message keeps its marks. Package cli shows an
//     error in one way (check.Shown with this package's Scrubber), which
//     scrubs the outside parts alone; an error that carries no Message is
//     scrubbed whole, which garbles at worst and never leaks.
//   - When: each outside part is scrubbed whole before it is cut,
//     sanitised or quoted (a part can carry its cut, and %q quotes after
//     scrubbing), so no form of the password survives: a password with '|'
//     or a tab would otherwise show as "ab/cd" or "pa ss", and one that a
//     cut shortens would show its first characters.
//   - What is never scrubbed: performance data, labels, numbers and the
//     plugin's own words. A password such as "1234", "time", "status",
//     "password" or "e" must not rename a metric, change a value or garble a
//     sentence ("check login and password", "connection refused"). The
//     system's reason a file could not be read ("no such file or
//     directory") and the resolver's ("no such host") are fixed words and
//     count as ours.
//   - Each occurrence becomes "***". The Go-quoted, sanitised and
//     URL-escaped forms of the password are scrubbed too: outside text can
//     be quoted before it reaches us (a library's error), and a URL echoed
//     in an error is escaped.
//
// The password is resolved once, as soon as the command line is checked
// (a --password-file is read first thing inside the -t budget); before
// that (a flag the parser rejects) the candidates are what -P/--password and
// $ITGRIX_PASSWORD hold on the command line (with the options of its
// --extra-opts sections) and in the environment. Messages are rendered
// only when shown, so a password read later still counts.
package secret

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"check-itgrix/internal/check"
)

// Mask replaces the password in scrubbed text.
const Mask = "***"

// Scrubber replaces every occurrence of its secrets in a text by Mask. The
// zero value scrubs nothing.
type Scrubber struct {
	forms []string
}

// New returns a Scrubber for the secrets given; empty ones are ignored.
func New(secrets ...string) Scrubber {
	var s Scrubber
	return s.With(secrets...)
}

// With returns a Scrubber that also scrubs the secrets given.
func (s Scrubber) With(secrets ...string) Scrubber {
	forms := append([]string(nil), s.forms...)
	for _, p := range secrets {
		if p == "" {
			continue
		}
		forms = append(forms, p)
		// Derived forms only when long enough not to match ordinary words.
		for _, f := range []string{quoted(p), check.Text(p), url.PathEscape(p), url.QueryEscape(p)} {
			if f != p && len(f) >= 4 {
				forms = append(forms, f)
			}
		}
	}
	// Longest first, so a secret that contains another is masked whole.
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return Scrubber{forms: dedupe(forms)}
}

// Scrub returns text with every occurrence of each secret replaced by Mask.
func (s Scrubber) Scrub(text string) string {
	for _, f := range s.forms {
		if strings.Contains(text, f) {
			text = strings.ReplaceAll(text, f, Mask)
		}
	}
	return text
}

// Scrub is New(secrets...).Scrub(text).
func Scrub(text string, secrets ...string) string {
	return New(secrets...).Scrub(text)
}

// quoted is the password as %q writes it, without the quotes.
func quoted(p string) string {
	q := strconv.Quote(p)
	return q[1 : len(q)-1]
}

func dedupe(forms []string) []string {
	seen := make(map[string]bool, len(forms))
	out := forms[:0]
	for _, f := range forms {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
