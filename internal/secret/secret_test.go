package secret

import "testing"

func TestScrub(t *testing.T) {
	cases := []struct {
		secrets []string
		in      string
		want    string
	}{
		{nil, "nothing to hide", "nothing to hide"},
		{[]string{""}, "empty secret", "empty secret"},
		{[]string{"s3cret"}, "a s3cret and s3cret", "a *** and ***"},
		{[]string{"ab", "abcd"}, "abcd ab", "*** ***"}, // longest first
		{[]string{"pa|ss-word"}, "as sent: pa|ss-word, as shown: pa/ss-word", "as sent: ***, as shown: ***"},
		{[]string{"pa\tss-word"}, "raw pa\tss-word, quoted \"pa\\tss-word\", shown pa ss-word", "raw ***, quoted \"***\", shown ***"},
		{[]string{"a b&c/d"}, "path /a%20b&c%2Fd query a+b%26c%2Fd", "path /*** query ***"},
		{[]string{"пароль"}, "пароль", "***"},
		{[]string{"Ok"}, "status Ok", "status ***"}, // Scrub applies where it is asked to; callers choose the text
	}
	for _, c := range cases {
		if got := New(c.secrets...).Scrub(c.in); got != c.want {
			t.Errorf("New(%q).Scrub(%q) = %q, want %q", c.secrets, c.in, got, c.want)
		}
	}
	s := New("one").With("two")
	if s.Scrub("one two three") != "*** *** three" {
		t.Errorf("With: %q", s.Scrub("one two"))
	}
	if Scrub("x pw-1234 y", "pw-1234") != "x *** y" {
		t.Error("Scrub")
	}
}
