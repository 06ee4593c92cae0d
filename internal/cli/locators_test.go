package cli

import (
	"reflect"
	"testing"
)

// TestLocators: the tokenizer finds every --extra-opts' value as the
// monitoring-plugins do: a bare --extra-opts takes the next argument
// unless it looks like an option.
func TestLocators(t *testing.T) {
	m := model(t)
	cases := []struct {
		args, locs []string
	}{
		{[]string{"-H", "h"}, nil},
		{[]string{"--extra-opts=pbx1@/f", "-v"}, []string{"pbx1@/f"}},
		{[]string{"--extra-opts", "pbx1@/f", "-v"}, []string{"pbx1@/f"}},
		{[]string{"--extra-opts", "-v"}, []string{""}},
		{[]string{"-v", "--extra-opts"}, []string{""}},
		{[]string{"--extra-opts", "-"}, []string{""}},
		{[]string{"--extra-opts=", "--extra-opts=@-", "--extra-opts", "b"}, []string{"", "@-", "b"}},
	}
	for _, c := range cases {
		if got := locators(m.parse(c.args)); !reflect.DeepEqual(got, c.locs) {
			t.Errorf("locators(%q) = %q; want %q", c.args, got, c.locs)
		}
	}
}
