package itgrix

import "strings"

// Requires names the Itgrix versions that serve the status endpoint. It is
// stated here once; help texts, messages and docs take it from here.
const Requires = "Itgrix bx >= 3.6.0 or Itgrix Kommo >= 2.13.0"

// LicenseTypes are the licence types Itgrix reports in license.type, from
// the least to the most functional. Their index is the license_type metric.
var LicenseTypes = []string{"Free", "Subscription", "Professional"}

// LicenseRank returns the index of typ (any case, outer spaces ignored) in
// LicenseTypes, and false when typ is none of them.
func LicenseRank(typ string) (int, bool) {
	typ = strings.TrimSpace(typ)
	for i, t := range LicenseTypes {
		if strings.EqualFold(t, typ) {
			return i, true
		}
	}
	return 0, false
}

// LicenseTypeName returns the canonical spelling of typ ("professional"
// gives "Professional"), and false when typ is not a licence type.
func LicenseTypeName(typ string) (string, bool) {
	i, ok := LicenseRank(typ)
	if !ok {
		return "", false
	}
	return LicenseTypes[i], true
}

// LicenseTypeList names the licence types for a message or a help text,
// the last one joined by the word given: "Free, Subscription or
// Professional".
func LicenseTypeList(last string) string {
	n := len(LicenseTypes)
	return strings.Join(LicenseTypes[:n-1], ", ") + " " + last + " " + LicenseTypes[n-1]
}
