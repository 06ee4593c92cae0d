package itgrix

import "testing"

func TestLicenseRank(t *testing.T) {
	for _, c := range []struct {
		in   string
		rank int
		ok   bool
	}{
		{"Free", 0, true}, {"subscription", 1, true}, {" PROFESSIONAL ", 2, true},
		{"Pro", 0, false}, {"", 0, false}, {"professional,subscription", 0, false},
	} {
		r, ok := LicenseRank(c.in)
		if r != c.rank || ok != c.ok {
			t.Errorf("LicenseRank(%q) = %d, %v; want %d, %v", c.in, r, ok, c.rank, c.ok)
		}
	}
	if n, ok := LicenseTypeName("professional"); n != "Professional" || !ok {
		t.Errorf("LicenseTypeName(professional) = %q, %v", n, ok)
	}
	if got := LicenseTypeList("or"); got != "Free, Subscription or Professional" {
		t.Errorf("LicenseTypeList(or) = %q", got)
	}
}
