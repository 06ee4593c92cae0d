package integration

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// This file reads contrib/ the way the engines do, so the direct comparison
// runs the plugins with the arguments the engines were given, never with a
// restatement of them.

// NagiosObjects are the object definitions of Nagios/Naemon .cfg files.
type NagiosObjects []NagiosObject

// NagiosObject is one "define TYPE { key value ... }" block.
type NagiosObject struct {
	Type string
	Vars map[string]string
}

// ReadNagiosObjects parses every *.cfg file in dir.
func ReadNagiosObjects(dir string) (NagiosObjects, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.cfg"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no Nagios object files in %s", dir)
	}
	var out NagiosObjects
	for _, f := range files {
		objs, err := parseNagiosFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

func parseNagiosFile(path string) (NagiosObjects, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out NagiosObjects
	var cur *NagiosObject
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(stripNagiosComment(sc.Text()))
		switch {
		case line == "":
		case cur == nil && strings.HasPrefix(line, "define ") && strings.HasSuffix(line, "{"):
			cur = &NagiosObject{Type: strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "define "), "{")), Vars: map[string]string{}}
		case cur != nil && line == "}":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			k, v := line, ""
			if i := strings.IndexAny(line, " \t"); i > 0 {
				k, v = line[:i], strings.TrimSpace(line[i:])
			}
			cur.Vars[k] = v
		default:
			return nil, fmt.Errorf("%s:%d: unexpected %q", path, n, line)
		}
	}
	return out, sc.Err()
}

// stripNagiosComment drops a comment: '#' or ';' at the start of a line, or
// ';' after a value (Nagios' rule; a '#' inside a value is data).
func stripNagiosComment(s string) string {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
		return ""
	}
	if i := strings.Index(s, ";"); i >= 0 && (i == 0 || s[i-1] != '\\') {
		return s[:i]
	}
	return s
}

// Template returns the value of key for the named template or object,
// following "use" chains as Nagios does.
func (o NagiosObjects) Template(typ, name, key string) (string, error) {
	seen := map[string]bool{}
	for name != "" && !seen[name] {
		seen[name] = true
		obj, ok := o.find(typ, name)
		if !ok {
			return "", fmt.Errorf("no %s template %q", typ, name)
		}
		if v, ok := obj.Vars[key]; ok {
			return v, nil
		}
		name = obj.Vars["use"]
	}
	return "", fmt.Errorf("%s %q has no %s", typ, name, key)
}

func (o NagiosObjects) find(typ, name string) (NagiosObject, bool) {
	for _, obj := range o {
		if obj.Type == typ && (obj.Vars["name"] == name || obj.Vars[typ+"_name"] == name) {
			return obj, true
		}
	}
	return NagiosObject{}, false
}

// HostMacros returns the $_HOSTx$ macros of a host that uses the templates
// uses (in order, each with its own "use" chain) and sets the custom
// variables own: the host's own value first, then the first template's
// that has one, as Nagios inherits them.
func (o NagiosObjects) HostMacros(uses []string, own map[string]string) map[string]string {
	m := map[string]string{}
	set := func(vars map[string]string) {
		for k, v := range vars {
			if name, ok := strings.CutPrefix(k, "_"); ok {
				if _, done := m["_HOST"+strings.ToUpper(name)]; !done {
					m["_HOST"+strings.ToUpper(name)] = v
				}
			}
		}
	}
	set(own)
	seen := map[string]bool{}
	var walk func(names []string)
	walk = func(names []string) {
		for _, name := range names {
			name = strings.TrimSpace(name)
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			if obj, ok := o.find("host", name); ok {
				set(obj.Vars)
				walk(strings.Split(obj.Vars["use"], ","))
			}
		}
	}
	walk(uses)
	return m
}

// CommandLine expands a check_command ("cmd!arg1!arg2") of a service
// template into the argv Nagios runs, with macros from macros (USER1,
// HOSTADDRESS, ...). A macro it does not know is an error, so a contrib
// change that needs a new one is noticed rather than run with a blank.
func (o NagiosObjects) CommandLine(checkCommand string, macros map[string]string) ([]string, error) {
	parts := strings.Split(checkCommand, "!")
	cmd, ok := o.find("command", parts[0])
	if !ok {
		return nil, fmt.Errorf("no command %q", parts[0])
	}
	m := map[string]string{}
	for k, v := range macros {
		m[k] = v
	}
	for i, a := range parts[1:] {
		m[fmt.Sprintf("ARG%d", i+1)] = a
	}
	line, err := expandMacros(cmd.Vars["command_line"], m)
	if err != nil {
		return nil, fmt.Errorf("command %s: %w", parts[0], err)
	}
	return ShellFields(line)
}

var macroRE = regexp.MustCompile(`\$([A-Za-z0-9_]*)\$`)

func expandMacros(s string, m map[string]string) (string, error) {
	// ARGn values may hold macros themselves: Nagios expands them once more.
	for pass := 0; pass < 2; pass++ {
		var missing []string
		s = macroRE.ReplaceAllStringFunc(s, func(tok string) string {
			name := tok[1 : len(tok)-1]
			if name == "" {
				return "$"
			}
			if v, ok := m[name]; ok {
				return v
			}
			if strings.HasPrefix(name, "ARG") {
				return "" // Nagios: an argument not given is empty
			}
			missing = append(missing, tok)
			return tok
		})
		if len(missing) > 0 {
			return "", fmt.Errorf("macros the harness does not define: %v", missing)
		}
	}
	return s, nil
}

// ShellFields splits a command line the way /bin/sh would for the simple
// words contrib uses: blanks separate, single and double quotes group. A
// command that needs more of the shell (pipes, substitutions) is refused.
func ShellFields(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.ContainsRune("|&;<>()`$\\", r):
			return nil, fmt.Errorf("command line needs a shell (%q): %s", r, s)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unbalanced quote in %s", s)
	}
	if inWord {
		out = append(out, cur.String())
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty command line")
	}
	return out, nil
}

// NRPECommand is one command[NAME]=LINE of an NRPE configuration.
type NRPECommand struct {
	Name, Line string
}

// ReadNRPECommands returns the command definitions of an NRPE config file.
func ReadNRPECommands(path string) ([]NRPECommand, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []NRPECommand
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "command[") {
			continue
		}
		name, cmd, ok := strings.Cut(strings.TrimPrefix(line, "command["), "]=")
		if !ok {
			return nil, fmt.Errorf("%s: malformed %q", path, line)
		}
		out = append(out, NRPECommand{name, cmd})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no command[...] lines", path)
	}
	return out, nil
}
