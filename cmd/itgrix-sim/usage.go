package main

import (
	"text/template"

	"github.com/alecthomas/kingpin/v2"

	"check-itgrix/internal/cli"
)

// usageFuncs replaces kingpin's flag column so --help shows "-S, --tls"
// rather than "-S, --[no-]tls": the negated forms work but only add noise
// for someone reading the help at night.
var usageFuncs = template.FuncMap{"FlagsToTwoColumns": flagsToTwoColumns}

func flagsToTwoColumns(flags []*kingpin.FlagModel) [][2]string {
	haveShort := false
	for _, f := range flags {
		haveShort = haveShort || f.Short != 0
	}
	var rows [][2]string
	for _, f := range flags {
		if f.Hidden {
			continue
		}
		value := ""
		if !f.IsBoolFlag() {
			value = f.FormatPlaceHolder()
		}
		c, ok := f.Value.(interface{ IsCumulative() bool })
		rows = append(rows, [2]string{cli.FlagColumn(f.Short, f.Name, value, haveShort, ok && c.IsCumulative()), f.HelpWithEnvar()})
	}
	return rows
}

// plainHelp makes app's --help read as a plugin's: "-S, --tls" rather
// than "--[no-]tls", and no pointer to kingpin's --help-long and
// --help-man, which only a man-page generator needs.
func plainHelp(app *kingpin.Application) {
	app.UsageFuncs(usageFuncs)
	app.HelpFlag.Help("Show this help.")
}
