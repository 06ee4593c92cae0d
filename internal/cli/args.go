package cli

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"check-itgrix/internal/check"
	"check-itgrix/internal/extraopts"
)

// The command line is read once, here, from the flags the plugin declares:
// every word becomes an option that knows its flag, its value and where it
// was given. Help detection, the password candidates, the -t budget for
// --extra-opts, their locators and the precedence of the command line
// over ini files are all answers about these options, so none of them
// restates a flag name.

// flagModel maps long and short names to the flags the plugin declared.
type flagModel struct {
	long  map[string]*Flag
	short map[rune]*Flag
}

func modelOf(app *parser) flagModel {
	m := flagModel{long: map[string]*Flag{}, short: map[rune]*Flag{}}
	for _, f := range app.list {
		m.long[f.name] = f
		if f.short != 0 {
			m.short[f.short] = f
		}
	}
	return m
}

// option is one word of a command line or one line of an ini section: a
// flag with its value, or a positional argument (flag nil, not unknown).
type option struct {
	flag *Flag
	// typed is the flag as written ("--port", "-p", "--no-tls").
	typed    string
	value    string
	hasValue bool
	negated  bool
	unknown  bool
	// afterDash marks a positional argument after "--".
	afterDash bool
	// from is where an ini option was read; nil for the command line.
	from *extraopts.Origin
}

func (o option) is(name string) bool { return o.flag != nil && o.flag.name == name }

// layer orders the sources: each --extra-opts in turn, then the command
// line, which comes last and so wins.
func (o option) layer() int {
	if o.from == nil {
		return 1 << 30
	}
	return o.from.Locator
}

// parse reads a command line as getopt does: "--name=value", "--name
// value", "--no-name" for a switch, clusters of short flags ("-vt1"), and
// "--" ending the flags. --extra-opts takes the next word only when it
// does not start with '-', as the monitoring-plugins do.
func (m flagModel) parse(args []string) []option {
	var out []option
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			for _, r := range args[i+1:] {
				out = append(out, option{value: r, hasValue: true, afterDash: true})
			}
			return out
		case a == "-" || !strings.HasPrefix(a, "-"):
			out = append(out, option{value: a, hasValue: true})
		case strings.HasPrefix(a, "--"):
			name, v, has := strings.Cut(a[2:], "=")
			o := m.long1(name)
			o.value, o.hasValue = v, has
			next := i+1 < len(args)
			switch {
			case o.flag == nil || has || !o.flag.takesValue():
			case o.is(extraoptsFlag):
				if next && !strings.HasPrefix(args[i+1], "-") {
					o.value, o.hasValue = args[i+1], true
					i++
				}
			case next:
				o.value, o.hasValue = args[i+1], true
				i++
			}
			out = append(out, o)
		default:
			for j := 1; j < len(a); {
				r, size := utf8.DecodeRuneInString(a[j:])
				j += size
				f := m.short[r]
				o := option{flag: f, typed: "-" + string(r), unknown: f == nil}
				if f != nil && f.takesValue() {
					if j < len(a) {
						o.value, o.hasValue = a[j:], true
					} else if i+1 < len(args) {
						o.value, o.hasValue = args[i+1], true
						i++
					}
					j = len(a)
				}
				out = append(out, o)
				if f == nil {
					break
				}
			}
		}
	}
	return out
}

// long1 is the flag a long name means; "no-NAME" negates a switch that
// turns a setting on, and is an unknown flag for any other.
func (m flagModel) long1(name string) option {
	if f := m.long[name]; f != nil {
		return option{flag: f, typed: "--" + name}
	}
	if b, ok := strings.CutPrefix(name, "no-"); ok {
		if f := m.long[b]; f != nil && f.negatable {
			return option{flag: f, typed: "--" + name, negated: true}
		}
	}
	return option{typed: "--" + name, unknown: true}
}

// fromIni is an ini line as an option: "key = value" is --key=value (a
// one-letter key is -k), "key =" the flag alone.
func (m flagModel) fromIni(e extraopts.Option) option {
	from := e.Origin
	var o option
	if utf8.RuneCountInString(e.Key) == 1 {
		r, _ := utf8.DecodeRuneInString(e.Key)
		f := m.short[r]
		o = option{flag: f, typed: "-" + e.Key, unknown: f == nil}
	} else {
		o = m.long1(e.Key)
	}
	o.value, o.hasValue, o.from = e.Value, e.Value != "", &from
	return o
}

// extraoptsFlag is --extra-opts' name in the flag model.
var extraoptsFlag = strings.TrimPrefix(extraopts.Flag, "--")

// asksForHelp reports whether the command line asks for the help or the
// version, which answer without running a check.
func asksForHelp(cmd []option) bool {
	for _, o := range cmd {
		if o.is("help") || o.is("help-long") || o.is("help-man") || o.is("version") {
			return true
		}
	}
	return false
}

// locators are the values of the command line's --extra-opts, in order.
func locators(cmd []option) []string {
	var l []string
	for _, o := range cmd {
		if o.is(extraoptsFlag) {
			l = append(l, o.value)
		}
	}
	return l
}

// budget is the last -t on the command line, or the default: what the
// --extra-opts files are read within, before the options are parsed.
func budget(cmd []option) time.Duration {
	d := defaultTimeout
	for _, o := range cmd {
		if o.is("timeout") && o.hasValue {
			if t, err := ParseTimeout(o.value); err == nil {
				d = t
			}
		}
	}
	return d
}

// passwords are the values given to -P/--password: secrets from the
// moment they are read, used or not. "-P=pw" gives "=pw" as getopt does;
// "pw" may be what was meant.
func passwords(opts []option) []string {
	var p []string
	for _, o := range opts {
		if o.is("password") && o.hasValue {
			p = append(p, o.value)
			if v, ok := strings.CutPrefix(o.value, "="); ok && o.from == nil {
				p = append(p, v)
			}
		}
	}
	return p
}

// rivals are flags that set the same thing in other ways: one given in a
// later source (the command line after an ini file, a later --extra-opts
// after an earlier one) sets it, and the earlier source's rivals no
// longer count. Within one source, the password's two ways and the two
// families are refused together, and --url overrides -H, -p and -S.
func rivals(flag string) []string {
	switch flag {
	case "password":
		return []string{"password-file"}
	case "password-file":
		return []string{"password"}
	case "ipv4":
		return []string{"ipv6"}
	case "ipv6":
		return []string{"ipv4"}
	case "url":
		return []string{"hostname", "port", "tls"}
	case "hostname", "port", "tls":
		return []string{"url"}
	}
	return nil
}

// merge puts the sources in order (ini files first, the command line
// last), drops what a later source overrode through a rival flag, and
// keeps one occurrence (the last) of each flag that takes one value.
func merge(ini, cmd []option) []option {
	all := append(append([]option(nil), ini...), cmd...)
	top := map[string]int{}
	last := map[string]int{}
	for i, o := range all {
		if o.flag == nil {
			continue
		}
		if l, ok := top[o.flag.name]; !ok || o.layer() > l {
			top[o.flag.name] = o.layer()
		}
		last[o.flag.name] = i
	}
	overridden := func(o option) bool {
		for _, r := range rivals(o.flag.name) {
			if l, ok := top[r]; ok && l > o.layer() {
				return true
			}
		}
		return false
	}
	out := make([]option, 0, len(all))
	for i, o := range all {
		switch {
		case o.flag == nil:
		case overridden(o):
			continue
		case !o.flag.repeatable && last[o.flag.name] != i:
			continue
		}
		out = append(out, o)
	}
	return out
}

// checkOptions refuses what no parser could make sense of: an unknown
// flag, a value missing or given to a switch, --extra-opts in an ini file.
// An ini line is named by file, section and line, never by its value.
// What the user typed (the flag as written, the file and section names)
// is outside text; the rest is our words.
func checkOptions(opts []option) error {
	for _, o := range opts {
		var msg check.Message
		switch {
		case o.unknown && o.from != nil:
			msg = check.Say("unknown option %q", o.typed)
		case o.unknown && strings.HasPrefix(o.typed, "--"):
			msg = check.Say("unknown long flag '%s'", o.typed)
		case o.unknown:
			msg = check.Say("unknown short flag '%s'", o.typed)
		case o.flag == nil:
			continue
		case o.is(extraoptsFlag) && o.from == nil:
			// Bare, it names the default file and section.
			continue
		case o.is(extraoptsFlag):
			msg = check.Say("%s cannot be set inside an ini file", check.Ours(extraopts.Flag))
		case o.flag.takesValue() && !o.hasValue:
			msg = check.Say("expected argument for flag '%s'", o.typed)
		case !o.flag.takesValue() && o.hasValue:
			msg = check.Say("flag '%s' takes no value", o.typed)
			if o.from != nil {
				// The key as it should be written, "key =", quoted.
				msg = check.Say("%s (write %s)", msg, check.Shaped(strings.TrimLeft(o.typed, "-"), func(s string) string {
					return strconv.Quote(s + " =")
				}))
			}
		default:
			continue
		}
		if o.from != nil {
			return check.Errorf("%s %s: %s", check.Ours(extraopts.Flag), o.from.Message(), msg)
		}
		return check.Errorf("%s", msg)
	}
	return nil
}

// origins are where each flag's kept occurrences were given, in order,
// so a value a flag refuses names its ini line (see named).
type origins map[string][]*extraopts.Origin

func originsOf(opts []option) origins {
	m := origins{}
	for _, o := range opts {
		if o.flag != nil && !o.is(extraoptsFlag) {
			m[o.flag.name] = append(m[o.flag.name], o.from)
		}
	}
	return m
}

// next is where the next value set for flag came from (nil: the command
// line or a default).
func (m origins) next(flag string) *extraopts.Origin {
	q := m[flag]
	if len(q) == 0 {
		return nil
	}
	m[flag] = q[1:]
	return q[0]
}

// sources says where the address came from, for -v: each of --url, -H,
// -p and -S that counts, and the file, section and line (the user's
// words) or the command line that set it.
func sources(opts []option) check.Message {
	from := map[string]check.Message{}
	for _, o := range opts {
		if o.flag == nil {
			continue
		}
		switch o.flag.name {
		case "url", "hostname", "port", "tls":
			from[o.flag.name] = check.Say("the command line")
			if o.from != nil {
				from[o.flag.name] = o.from.Message()
			}
		}
	}
	if f, ok := from["url"]; ok {
		return check.Say("--url from %s", f)
	}
	var m check.Message
	sep := check.Ours("")
	for _, n := range []struct{ name, typed string }{{"hostname", "-H"}, {"port", "-p"}, {"tls", "-S"}} {
		if f, ok := from[n.name]; ok {
			m = check.Say("%s%s%s from %s", m, sep, check.Ours(n.typed), f)
			sep = ", "
		}
	}
	if sep == "" {
		return check.Say("the defaults of -H and -p")
	}
	return m
}
