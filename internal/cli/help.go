package cli

import (
	"fmt"
	"go/doc/comment"
	"io"
	"strconv"
	"strings"

	"check-itgrix/internal/check"
)

// parser is a plugin's command line: its flags and its words for the help,
// the long help and the man page, which keep the layout they had when a
// general parser printed them (the man pages are generated from
// --help-man, and operators have read --help in this shape for years).
type parser struct {
	Flags
	name, help, examples, version string
	out                           io.Writer
	// width is what the help is wrapped to: $COLUMNS, the terminal's,
	// or 80.
	width int
}

func newParser(spec Spec, env Env) *parser {
	a := &parser{name: spec.Name, help: spec.Help, examples: spec.Examples, version: spec.Name + " " + Version, out: env.Stdout}
	a.width = 80
	if env.Getenv != nil {
		if c, err := strconv.Atoi(env.Getenv("COLUMNS")); err == nil {
			a.width = c
		} else if w, ok := termWidth(env.Stdout); ok {
			a.width = w
		}
	}
	a.Flag("help", "Show this help.").Short('h').answer()
	a.Flag("help-long", "Generate long help.").Hidden().answer()
	a.Flag("help-man", "Generate a man page.").Hidden().answer()
	a.Flag("version", "Show application version.").Short('V').answer()
	return a
}

// parse sets every flag from the merged options, as the plugins always
// have: the options up to the first word that is no flag's count; the
// defaults of the flags not given are set (unless --help or --version
// is), then each value in the order given. --version, --help-long and
// --help-man answer first (the first given wins), then a word that is no
// flag's is refused, then --help answers, then a value refused is. An
// answer ends the run (terminated) without checking anything.
func (a *parser) parse(opts []option, from *origins) error {
	var unexpected error
	for i, o := range opts {
		if o.flag == nil {
			unexpected = check.Errorf("unexpected %s", o.value)
			opts = opts[:i]
			break
		}
	}
	given := map[string]bool{}
	for _, o := range opts {
		given[o.flag.name] = true
	}
	set := func(f *Flag, v string) error {
		where := from.next(f.name)
		if err := f.value.Set(v); err != nil {
			return &FlagError{Flag: f.name, From: where, Value: v, Err: err}
		}
		return nil
	}
	if !given["help"] && !given["version"] {
		for _, f := range a.list {
			if f.hasDef && !given[f.name] {
				if err := set(f, f.def); err != nil {
					return err
				}
			}
		}
	}
	var setErr error
	for _, o := range opts {
		if o.is(extraoptsFlag) {
			continue
		}
		f := a.lookup(o.flag.name)
		v := o.value
		if f.isBool {
			v = strconv.FormatBool(!o.negated)
		}
		if setErr = set(f, v); setErr != nil {
			break
		}
	}
	for _, o := range opts {
		switch {
		case o.is("version"):
			_, _ = io.WriteString(a.out, a.version+"\n")
		case o.is("help-long"):
			a.usage(false)
		case o.is("help-man"):
			a.manPage()
		default:
			continue
		}
		panic(terminated{})
	}
	if unexpected != nil {
		return unexpected
	}
	if given["help"] {
		a.usage(true)
		panic(terminated{})
	}
	return setErr
}

// usage writes --help (short, with the examples) or --help-long.
func (a *parser) usage(short bool) {
	var b strings.Builder
	b.WriteString("usage: " + a.name + " [<flags>]\n")
	if a.help != "" {
		b.WriteString("\n" + a.wrap(a.help, "", "  ", a.width))
	}
	if short {
		b.WriteString("\n")
	}
	b.WriteString("\nFlags:\n")
	a.twoColumns(&b, a.rows())
	b.WriteString("\n")
	if short && a.examples != "" {
		b.WriteString("Examples:\n" + a.examples)
	}
	_, _ = io.WriteString(a.out, b.String())
}

// rows are the help's two columns: each visible flag and its help.
func (a *parser) rows() [][2]string {
	haveShort := false
	for _, f := range a.list {
		haveShort = haveShort || f.short != 0
	}
	var rows [][2]string
	for _, f := range a.list {
		if f.hidden {
			continue
		}
		value := ""
		if !f.isBool {
			value = f.placeHolder()
		}
		rows = append(rows, [2]string{FlagColumn(f.short, f.name, value, haveShort, f.repeatable), f.help})
	}
	return rows
}

// FlagColumn is a flag as the help's first column names it: "-S, --tls"
// (not "--[no-]tls": the negated forms work but only add noise for
// someone reading the help at night), "    --url=URL" when other flags
// have a short name, "-v, --verbose ..." for one that adds up; value is
// "" for a switch. itgrix-sim's help names its flags the same way.
func FlagColumn(short rune, name, value string, padShort, repeatable bool) string {
	col := "--" + name
	switch {
	case short != 0:
		col = fmt.Sprintf("-%c, %s", short, col)
	case padShort:
		col = "    " + col
	}
	if value != "" {
		col += "=" + value
	}
	if repeatable {
		col += " ..."
	}
	return col
}

// twoColumns lays the rows out as the help always has: an indent of 2, a
// first column as wide as its widest entry under 30, the help wrapped
// beside it.
func (a *parser) twoColumns(w *strings.Builder, rows [][2]string) {
	const indent, padding = 2, 2
	s := 0
	for _, row := range rows {
		if c := len(row[0]); c > s && c < 30 {
			s = c
		}
	}
	indentStr := strings.Repeat(" ", indent)
	offsetStr := strings.Repeat(" ", s+padding)
	for _, row := range rows {
		lines := strings.Split(strings.TrimRight(a.wrap(row[1], "", "  ", a.width-s-padding-indent), "\n"), "\n")
		fmt.Fprintf(w, "%s%-*s%*s", indentStr, s, row[0], padding, "")
		if len(row[0]) >= 30 {
			fmt.Fprintf(w, "\n%s%s", indentStr, offsetStr)
		}
		fmt.Fprintf(w, "%s\n", lines[0])
		for _, line := range lines[1:] {
			fmt.Fprintf(w, "%s%s%s\n", indentStr, offsetStr, line)
		}
	}
}

// wrap fills text to width as Go doc comments are: paragraphs split at
// blank lines, indented lines kept as they are. Nothing in it is a link.
func (a *parser) wrap(text, prefix, codePrefix string, width int) string {
	p := &comment.Parser{
		LookupPackage: func(string) (string, bool) { return "", false },
		LookupSym:     func(string, string) bool { return false },
	}
	pr := &comment.Printer{TextPrefix: prefix, TextCodePrefix: codePrefix, TextWidth: width}
	return string(pr.Text(p.Parse(text)))
}

// manPage writes --help-man, which the packaged man pages are made from.
func (a *parser) manPage() {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH %s 1 %s \"\"\n.SH \"NAME\"\n%s\n.SH \"SYNOPSIS\"\n.TP\n\\fB%s [<flags>]\\fR\n\n.SH \"DESCRIPTION\"\n%s\n.SH \"OPTIONS\"\n",
		a.name, a.version, a.name, a.name, a.help)
	for _, f := range a.list {
		if f.hidden {
			continue
		}
		b.WriteString(".TP\n\\fB")
		if f.short != 0 {
			fmt.Fprintf(&b, "-%c, ", f.short)
		}
		b.WriteString("--" + f.name)
		if !f.isBool {
			b.WriteString("=" + f.placeHolder())
		}
		b.WriteString("\\fR\n" + f.help + "\n")
	}
	_, _ = io.WriteString(a.out, b.String())
}
