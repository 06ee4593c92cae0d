package license

import (
	"fmt"
	"strings"
)

// Types are the vendor's licence types, from the least functionality to
// the most, spelled as the status document spells them.
var Types = []string{"Free", "Subscription", "Professional"}

// TypeList is Types for a sentence: "Free, Subscription or Professional".
func TypeList() string {
	return strings.Join(Types[:len(Types)-1], ", ") + " or " + Types[len(Types)-1]
}

// ParseTypes reads an expected type: one of Types in any case, or several
// separated by commas. It returns them as Types spells them.
func ParseTypes(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		name := strings.TrimSpace(part)
		found := false
		for _, t := range Types {
			if strings.EqualFold(name, t) {
				out, found = append(out, t), true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("licence type %q is none of %s", name, TypeList())
		}
	}
	return out, nil
}
