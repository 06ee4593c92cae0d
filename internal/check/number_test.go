package check

import (
	"regexp"
	"testing"
)

// numberGrammar is the grammar of a range end as monitoring-plugins'
// strtod-based parsing is narrowed to it (see isNumber).
var numberGrammar = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

func TestIsNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "10": true, "+3": true, "-5": true, "1.5": true, "5.": true, ".5": true, "-.5": true,
		"1e5": true, "1E5": true, "1e+5": true, "1e-5": true, "1.e5": true, "-1e1": true,
		"": false, "+": false, "-": false, ".": false, "-.": false, "e5": false, ".e5": false, "1e": false,
		"1e+": false, "1.2.3": false, "0x10": false, "inf": false, "nan": false, " 1": false, "1 ": false,
		"1e5.0": false, "++1": false, "1-": false, "١": false,
	} {
		if got := isNumber(s); got != want {
			t.Errorf("isNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestIsNumberIsTheGrammar: every string of up to five characters from the
// grammar's alphabet (and one outsider) is accepted exactly when the
// regular expression accepts it.
func TestIsNumberIsTheGrammar(t *testing.T) {
	const alphabet = "09+-.eEx"
	var walk func(s string)
	walk = func(s string) {
		if got, want := isNumber(s), numberGrammar.MatchString(s); got != want {
			t.Fatalf("isNumber(%q) = %v, the grammar says %v", s, got, want)
		}
		if len(s) == 5 {
			return
		}
		for i := range len(alphabet) {
			walk(s + alphabet[i:i+1])
		}
	}
	walk("")
}
