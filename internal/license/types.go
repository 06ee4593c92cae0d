package license

import (
	"strings"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
)

// ParseTypes reads an expected type: one of itgrix.LicenseTypes in any
// case, or several separated by commas. It returns them as the vendor
// spells them.
func ParseTypes(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		name, ok := itgrix.LicenseTypeName(part)
		if !ok {
			return nil, check.Errorf("licence type %q is none of %s", strings.TrimSpace(part), check.Ours(itgrix.LicenseTypeList("or")))
		}
		out = append(out, name)
	}
	return out, nil
}
