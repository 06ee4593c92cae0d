package extraopts

import "strings"

// The helpers below drive the reader the way a command line does, so the
// tests read as argument lists. The plugins find the locators with their
// own tokenizer (internal/cli); these are for the tests only.

// Locators returns the values of every --extra-opts in args, in order,
// and args without them. A bare --extra-opts yields "".
func Locators(args []string) (locators, rest []string) {
	rest = make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, Flag+"="):
			locators = append(locators, strings.TrimPrefix(a, Flag+"="))
		case a == Flag:
			// As monitoring-plugins: the next argument is the value
			// unless it looks like an option.
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				locators = append(locators, args[i+1])
				i++
			} else {
				locators = append(locators, "")
			}
		default:
			rest = append(rest, a)
		}
	}
	return locators, rest
}

// Expand replaces every --extra-opts in args with the options of its
// section and returns those options followed by the remaining arguments.
// plugin is the default section. Without --extra-opts, args is returned
// unchanged and nothing is read.
func Expand(args []string, plugin string, src Source) ([]string, error) {
	locators, rest := Locators(args)
	if len(locators) == 0 {
		return args, nil
	}
	opts, err := ExpandLocators(locators, plugin, src)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(opts)+len(rest))
	for _, o := range opts {
		out = append(out, o.Arg())
	}
	return append(out, rest...), nil
}

// Section returns the options that section sets in an ini document, as
// command-line arguments.
func Section(data []byte, section string) ([]string, error) {
	opts, err := SectionOptions(data, section)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Arg()
	}
	return out, nil
}

// Arg is the option as a command-line argument: "--key=value", "--key",
// or for a one-letter key "-kvalue" ("-k=value" would make "=value" the
// value, and "-k" "value" would read a value starting with '-' as a flag).
func (o Option) Arg() string {
	switch {
	case len(o.Key) == 1:
		return "-" + o.Key + o.Value
	case o.Value == "":
		return "--" + o.Key
	}
	return "--" + o.Key + "=" + o.Value
}
