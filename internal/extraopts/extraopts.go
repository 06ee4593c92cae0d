// Package extraopts implements monitoring-plugins' --extra-opts: options
// read from a section of an ini file and put in front of the command line,
// so per-host settings (URL, login, password) live in one root-owned file
// instead of in the engine's configuration or the process list.
//
// The semantics are those of monitoring-plugins' lib/extra_opts.c and
// lib/parse_ini.c, so an ini written for check_http or check_tcp works
// unchanged:
//
//   - --extra-opts[=[SECTION][@FILE]], also "--extra-opts VALUE" when VALUE
//     does not start with "-". The section defaults to the plugin's name.
//   - Without @FILE: $MP_CONFIG_FILE, then monitoring-plugins.ini,
//     plugins.ini or nagios-plugins.ini in each directory of the deprecated
//     $NAGIOS_CONFIG_PATH, then the first existing of DefaultPaths.
//     "@-" reads standard input.
//   - In the section, "key=value" becomes "--key=value" and "key=" becomes
//     "--key". Lines starting with '#' or ';' are comments; whitespace
//     around section names, keys and values is trimmed.
//   - Options from ini files come before the command line's, so the
//     command line wins; several --extra-opts apply in order, and a section
//     that appears more than once contributes every part.
//   - A missing file, a missing or empty section, text before the first
//     section, or a line of the section without '=' is an error naming the
//     file and the section (never the line's text: it may be a password).
//
// Where monitoring-plugins 2.3 is wrong this package is not: spaces before
// '=' never become part of the key, a one-letter key "t=5" becomes "-t5"
// (not "-t=5", which getopt reads as the value "=5"), and a default file
// taken from $MP_CONFIG_FILE cannot crash the plugin.
package extraopts

import (
	"fmt"
	"strings"

	"check-itgrix/internal/check"
)

// Flag is the option this package expands.
const Flag = "--extra-opts"

// DefaultPaths are the files tried, in order, when --extra-opts names no
// file and neither $MP_CONFIG_FILE nor $NAGIOS_CONFIG_PATH finds one. The
// last seven are deprecated in monitoring-plugins but still read by it.
var DefaultPaths = []string{
	"/usr/local/etc/monitoring-plugins/monitoring-plugins.ini",
	"/usr/local/etc/monitoring-plugins.ini",
	"/etc/monitoring-plugins/monitoring-plugins.ini",
	"/etc/monitoring-plugins.ini",
	"/etc/nagios/plugins.ini",
	"/usr/local/nagios/etc/plugins.ini",
	"/usr/local/etc/nagios/plugins.ini",
	"/etc/opt/nagios/plugins.ini",
	"/etc/nagios-plugins.ini",
	"/usr/local/etc/nagios-plugins.ini",
	"/etc/opt/nagios-plugins.ini",
}

// configPathNames are looked for in each directory of $NAGIOS_CONFIG_PATH.
var configPathNames = []string{"monitoring-plugins.ini", "plugins.ini", "nagios-plugins.ini"}

// Source is how Expand reaches the outside world, so tests need no files
// and the caller decides how reads are bounded.
type Source struct {
	// Getenv reads $MP_CONFIG_FILE and $NAGIOS_CONFIG_PATH.
	Getenv func(string) string
	// Exists reports whether a default path is there to be read.
	Exists func(name string) bool
	// Read returns a file's content; name "-" is standard input. It must
	// bound the size and the time it takes.
	Read func(name string) ([]byte, error)
}

// Error is a problem with an --extra-opts locator or its ini file.
type Error struct {
	File, Section, Msg string
}

func (e *Error) Error() string { return e.Message().String() }

// Message tells the error with the file and section names, the user's
// words, marked as outside text; Msg is this package's own words (and
// the system's fixed reason a file could not be read).
func (e *Error) Message() check.Message {
	if e.File == "" {
		return check.Say("%s section [%s]: %s", check.Ours(Flag), e.Section, check.Ours(e.Msg))
	}
	return check.Say("%s %s section [%s]: %s", check.Ours(Flag), e.File, e.Section, check.Ours(e.Msg))
}

// Option is one key = value line of a section, and where it was read.
type Option struct {
	Key, Value string
	Origin     Origin
}

// Origin is where an option was read: the file, the section, the line,
// and which --extra-opts (0 for the first) asked for it.
type Origin struct {
	File, Section string
	Line          int
	Locator       int
}

func (o Origin) String() string { return o.Message().String() }

// Message names the line with the file and section, the user's words,
// marked as outside text.
func (o Origin) Message() check.Message {
	return check.Say("%s section [%s] line %d", o.File, o.Section, o.Line)
}

// ExpandLocators returns the options of every locator's section, in order.
// On an error it also returns the options read before it, so the caller
// can keep a password they set out of the error's file and section names.
func ExpandLocators(locators []string, plugin string, src Source) ([]Option, error) {
	// A file named twice (stdin above all) is read once.
	read := map[string][]byte{}
	var out []Option
	for i, loc := range locators {
		section, file, hasFile := strings.Cut(loc, "@")
		if section == "" {
			section = plugin
		}
		if !hasFile {
			var err error
			if file, err = defaultFile(src); err != nil {
				return out, &Error{Section: section, Msg: err.Error()}
			}
		}
		if file == "" {
			return out, &Error{Section: section, Msg: "empty file name after @"}
		}
		data, ok := read[file]
		if !ok {
			var err error
			if data, err = src.Read(file); err != nil {
				return out, &Error{File: file, Section: section, Msg: err.Error()}
			}
			read[file] = data
		}
		opts, err := SectionOptions(data, section)
		if err != nil {
			return out, &Error{File: file, Section: section, Msg: err.Error()}
		}
		for _, o := range opts {
			o.Origin = Origin{File: file, Section: section, Line: o.Origin.Line, Locator: i}
			out = append(out, o)
		}
	}
	return out, nil
}

func defaultFile(src Source) (string, error) {
	if f := src.Getenv("MP_CONFIG_FILE"); f != "" {
		return f, nil
	}
	for _, dir := range strings.Split(src.Getenv("NAGIOS_CONFIG_PATH"), ":") {
		if dir == "" {
			continue
		}
		for _, n := range configPathNames {
			if p := strings.TrimSuffix(dir, "/") + "/" + n; src.Exists(p) {
				return p, nil
			}
		}
	}
	for _, p := range DefaultPaths {
		if src.Exists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("no ini file: name one (--extra-opts=SECTION@FILE), set $MP_CONFIG_FILE, or create %s", DefaultPaths[2])
}

// space is C's isspace in the "C" locale, what monitoring-plugins trims.
const space = " \t\n\v\f\r"

// SectionOptions returns the options that section sets in an ini
// document, each with its line number.
func SectionOptions(data []byte, section string) ([]Option, error) {
	var opts []Option
	inSection, seenSection, found := false, false, false
	text := string(data)
	for n := 0; text != ""; n++ {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		line = strings.Trim(line, space)
		switch {
		case line == "", line[0] == '#', line[0] == ';':
			continue
		case line[0] == '[':
			name, after, closed := strings.Cut(line[1:], "]")
			seenSection = true
			inSection = closed && strings.Trim(name, space) == section
			if inSection {
				found = true
				if after = strings.TrimLeft(after, space); after != "" && after[0] != '#' && after[0] != ';' {
					return nil, fmt.Errorf("line %d: text after the section header", n+1)
				}
			}
			continue
		case !seenSection:
			return nil, fmt.Errorf("line %d: text before the first [section]", n+1)
		case !inSection:
			// Another host's section: its mistakes are not this check's.
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: no '=' (want key=value)", n+1)
		}
		key, value = strings.Trim(key, space), strings.Trim(value, space)
		if key == "" {
			return nil, fmt.Errorf("line %d: no option name before '='", n+1)
		}
		opts = append(opts, Option{Key: key, Value: value, Origin: Origin{Line: n + 1}})
	}
	switch {
	case !found:
		return nil, fmt.Errorf("no such section")
	case len(opts) == 0:
		return nil, fmt.Errorf("the section sets no options")
	}
	return opts, nil
}
