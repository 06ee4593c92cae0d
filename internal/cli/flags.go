package cli

import (
	"strconv"
	"strings"

	"check-itgrix/internal/check"
)

// The plugins declare their flags here rather than in a general parser:
// kingpin renders its help with text/template, whose reflection keeps
// every exported method in the binary, and builds an application in its
// package init, which every check paid at start-up for a help few runs
// print. The command line is already read by the tokenizer in args.go;
// what is left is a list of flags, setting their values in order, and
// the help (help.go).

// Value is what a flag sets from each value it is given.
type Value interface {
	Set(string) error
	String() string
}

// Flag is one flag: its names, its words for the help, and its value.
type Flag struct {
	name, help, placeholder string
	short                   rune
	def                     string
	hasDef                  bool
	value                   Value
	// isBool is a switch: given without a value.
	isBool bool
	// negatable is a switch that turns a setting on, so "--no-NAME"
	// turns it off again (BoolVar); a flag that asks for an answer
	// (--help, --version) or adds up (-v) has no "--no-" form.
	negatable bool
	// repeatable adds each value given (-v, --expected-type) rather
	// than the last one winning; the help marks it with "...".
	repeatable bool
	hidden     bool
}

// Flags is the flags of one plugin, in the order the help lists them.
type Flags struct {
	list []*Flag
}

// Flag declares a flag; the calls on the result say the rest.
func (fs *Flags) Flag(name, help string) *Flag {
	f := &Flag{name: name, help: help}
	fs.list = append(fs.list, f)
	return f
}

// lookup is the flag named name, or nil.
func (fs *Flags) lookup(name string) *Flag {
	for _, f := range fs.list {
		if f.name == name {
			return f
		}
	}
	return nil
}

// Short gives the flag a one-letter name.
func (f *Flag) Short(r rune) *Flag { f.short = r; return f }

// Hidden leaves the flag out of the help and the man page.
func (f *Flag) Hidden() *Flag { f.hidden = true; return f }

// PlaceHolder names the flag's value in the help ("FILE").
func (f *Flag) PlaceHolder(p string) *Flag { f.placeholder = p; return f }

// Default is the value set when the flag is not given; the help shows it
// when there is no placeholder.
func (f *Flag) Default(d string) *Flag { f.def, f.hasDef = d, true; return f }

// Repeatable makes every value given count, not only the last.
func (f *Flag) Repeatable() *Flag { f.repeatable = true; return f }

// takesValue says the flag is given with a value, not as a switch.
func (f *Flag) takesValue() bool { return !f.isBool }

// SetValue makes v what the flag sets.
func (f *Flag) SetValue(v Value) { f.value = v }

// StringVar makes the flag set *p.
func (f *Flag) StringVar(p *string) { f.value = (*stringValue)(p) }

// String makes the flag set the string it returns.
func (f *Flag) String() *string {
	p := new(string)
	f.StringVar(p)
	return p
}

// BoolVar makes the flag a switch that sets *p, on or, as "--no-NAME", off.
func (f *Flag) BoolVar(p *bool) { f.value, f.isBool, f.negatable = (*boolValue)(p), true, true }

// answer makes the flag a switch that asks for an answer (the help, the
// version) instead of a check: given or not, never negated.
func (f *Flag) answer() { f.value, f.isBool = (*boolValue)(new(bool)), true }

// CounterVar makes the flag a switch each use of which adds one to *p.
func (f *Flag) CounterVar(p *int) {
	f.value, f.isBool, f.repeatable = (*counterValue)(p), true, true
}

// placeHolder is the flag's value as the help names it.
func (f *Flag) placeHolder() string {
	switch {
	case f.placeholder != "":
		return f.placeholder
	case f.hasDef && f.def != "":
		return f.def
	}
	return strings.ToUpper(f.name)
}

type stringValue string

func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }
func (v *stringValue) String() string     { return string(*v) }

type boolValue bool

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return check.Errorf("not a switch value: %q", s)
	}
	*v = boolValue(b)
	return nil
}

func (v *boolValue) String() string { return strconv.FormatBool(bool(*v)) }

// counterValue counts the uses.
type counterValue int

func (v *counterValue) Set(string) error { *v++; return nil }
func (v *counterValue) String() string   { return strconv.Itoa(int(*v)) }
