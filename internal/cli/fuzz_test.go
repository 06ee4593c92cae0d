package cli

import (
	"testing"
	"time"
)

// FuzzParseAgeAndNow: whatever an operator types, the age and --now
// readers return a bounded value or an error, never a panic or a negative
// age.
func FuzzParseAgeAndNow(f *testing.F) {
	for _, s := range []string{"90m", "2h", "1d12h", "5400", "1.5", "-1", "1e400", "NaN", "2027-05-11", "2027-05-11T09:30:00+03:00", "9999-12-31T23:59:59Z", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseAge(s); err == nil && (d < 0 || d > maxAge) {
			t.Errorf("ParseAge(%q) = %v, outside 0..%v", s, d, maxAge)
		}
		if _, err := ParseNow(s, time.UTC); err == nil && len(s) < len("2006-01-02") {
			t.Errorf("ParseNow(%q) accepted a value shorter than a date", s)
		}
	})
}
