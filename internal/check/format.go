package check

import (
	"fmt"
	"strings"
)

// Format is the layout of the output below line 1, chosen with
// --output-format. The zero value is the default.
type Format int

// The layouts. Their names are monitoring-plugins 3's where it has one.
const (
	// IcingaWeb2 is monitoring-plugins 3's default: one "\_[STATE] …"
	// line per thing the check judged, each in its own state, then the
	// facts that were not judged. Icinga DB Web draws each [STATE] as a state
	// ball.
	IcingaWeb2 Format = iota
	// Classic is the layout before monitoring-plugins 3: the same lines
	// without the state markers.
	Classic
)

// formatNames are the --output-format values, in the order of the Format
// constants; the first is the default.
var formatNames = []string{"icingaweb2", "classic"}

// FormatHelp describes --output-format for the help text.
func FormatHelp() string {
	return "Layout of the lines under line 1: " + formatNames[IcingaWeb2] +
		" (monitoring-plugins 3's: one line per thing judged, marked with its own [STATE], which Icinga DB Web draws as a state ball) or " +
		formatNames[Classic] + " (the same lines unmarked). Default " + Format(0).String() + "."
}

// String is the format's --output-format value.
func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// Set reads an --output-format value (any case, as monitoring-plugins 3
// does); anything else is an error naming the values. With String it makes
// a Format a flag value.
func (f *Format) Set(s string) error {
	for i, n := range formatNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			*f = Format(i)
			return nil
		}
	}
	return Errorf("output format must be %s or %s, got %q",
		Ours(strings.Join(formatNames[:len(formatNames)-1], ", ")), Ours(formatNames[len(formatNames)-1]), s)
}

// mark is what a judged part's line starts with: "\\_[CRITICAL] " in
// monitoring-plugins 3's form (without its tab, which only indents nested
// subchecks), nothing in the classic one.
func (f Format) mark(s State) string {
	if f == Classic {
		return ""
	}
	return `\_[` + s.String() + "] "
}
