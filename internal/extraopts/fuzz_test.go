package extraopts

import (
	"regexp"
	"strings"
	"testing"
)

// errorShape is every message Section may return: fixed words and a line
// number, never text from the file, which may hold a password.
var errorShape = regexp.MustCompile(`^(line [0-9]+: (text before the first \[section\]|no '=' \(want key=value\)|no option name before '='|text after the section header)|no such section|the section sets no options)$`)

// FuzzSection: any file and section name give options shaped like flags
// or an error that quotes nothing from the file.
func FuzzSection(f *testing.F) {
	f.Add("[s]\nurl = http://pbx1:8077/status\npassword=x\n", "s")
	f.Add("x=1\n[s]\n", "s")
	f.Add("[s]\nsecret\n", "s")
	f.Add("[ s ] ; c\r\n\tt = 5\r\nS=\n[a]\n=\n[s]\nkey=\n", "s")
	f.Add("[s\n[]\n[s]x\n", "")
	f.Fuzz(func(t *testing.T, ini, section string) {
		opts, err := Section([]byte(ini), section)
		if err != nil {
			if !errorShape.MatchString(err.Error()) {
				t.Fatalf("error %q is not one of the fixed messages", err)
			}
			return
		}
		if len(opts) == 0 {
			t.Fatal("no options and no error")
		}
		for _, o := range opts {
			if !strings.HasPrefix(o, "-") || strings.ContainsAny(o, "\n") {
				t.Fatalf("option %q", o)
			}
		}
	})
}
