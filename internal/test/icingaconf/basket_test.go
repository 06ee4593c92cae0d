package icingaconf

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// basketOnly are the defaults the basket may set differently, and why:
// Director cannot import the ITL's ipv4-or-ipv6 template (it is no object
// kickstart brings in), so the address comes from $address$ directly and
// -4/-6 are off unless a host or service sets them.
var basketOnly = map[string]string{
	"itgrix_address": "$address$",
	"itgrix_ipv4":    "false",
	"itgrix_ipv6":    "false",
}

// basket is the part of a Director basket the comparison reads.
type basket struct {
	CommandTemplate map[string]basketObject
	Command         map[string]basketObject
	ServiceTemplate map[string]basketObject
	HostTemplate    map[string]basketObject
	ServiceSet      map[string]struct {
		ObjectType   string                  `json:"object_type"`
		AssignFilter string                  `json:"assign_filter"`
		Services     map[string]basketObject `json:"services"`
	}
	Datafield map[string]struct {
		Varname  string `json:"varname"`
		Datatype string `json:"datatype"`
		Settings struct {
			Datalist string `json:"datalist"`
		} `json:"settings"`
	}
	DataList map[string]json.RawMessage
}

type basketObject struct {
	ObjectName     string                     `json:"object_name"`
	ObjectType     string                     `json:"object_type"`
	Imports        []string                   `json:"imports"`
	Command        string                     `json:"command"`
	CheckCommand   string                     `json:"check_command"`
	CheckInterval  string                     `json:"check_interval"`
	RetryInterval  string                     `json:"retry_interval"`
	Arguments      map[string]json.RawMessage `json:"arguments"`
	Vars           map[string]any             `json:"vars"`
	Env            any                        `json:"env"`
	MethodsExecute string                     `json:"methods_execute"`
	Fields         []struct {
		DatafieldID int `json:"datafield_id"`
	} `json:"fields"`
}

func loadBasket(t *testing.T) basket {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(contribDir, "director-basket.json"))
	if err != nil {
		t.Fatal(err)
	}
	var b basket
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("director-basket.json: %v", err)
	}
	return b
}

// resolved is a CheckCommand after its imports: its arguments (each a map
// of the argument's attributes, rendered as text) and its default vars.
type resolved struct {
	command string
	args    map[string]map[string]string
	vars    map[string]string
}

// confCommand resolves a CheckCommand of the file through the templates
// the file defines; the ITL's templates it imports contribute nothing here.
func confCommand(t *testing.T, blocks []Block, name string) resolved {
	t.Helper()
	b, ok := Find(blocks, "object", "CheckCommand", name)
	if !ok {
		t.Fatalf("itgrix-commands.conf has no CheckCommand %q", name)
	}
	r := resolved{args: map[string]map[string]string{}, vars: map[string]string{}}
	var add func(b Block)
	add = func(b Block) {
		for _, imp := range b.Imports {
			if tb, ok := Find(blocks, "template", "CheckCommand", imp); ok {
				add(tb)
			}
		}
		if args, ok := b.Attrs["arguments"].(map[string]any); ok {
			for k, v := range args {
				r.args[k] = confArgument(v)
			}
		}
		for k, v := range b.Attrs {
			if name, ok := strings.CutPrefix(k, "vars."); ok {
				r.vars[name] = Text(v)
			}
		}
		if c, ok := b.Attrs["command"].([]any); ok && len(c) == 1 {
			if cc, ok := c[0].(Concat); ok {
				r.command = cc.Const + " + " + cc.Suffix
			}
		}
	}
	add(b)
	return r
}

func confArgument(v any) map[string]string {
	m := map[string]string{}
	switch a := v.(type) {
	case map[string]any:
		for k, x := range a {
			m[k] = Text(x)
		}
	default:
		m["value"] = Text(a)
	}
	return m
}

// basketCommand resolves a basket Command through the basket's command
// templates.
func basketCommand(t *testing.T, b basket, name string) (resolved, []int) {
	t.Helper()
	o, ok := b.Command[name]
	if !ok {
		t.Fatalf("director-basket.json has no Command %q", name)
	}
	r := resolved{command: o.Command, args: map[string]map[string]string{}, vars: map[string]string{}}
	var fields []int
	var add func(o basketObject)
	add = func(o basketObject) {
		for _, imp := range o.Imports {
			tmpl, ok := b.CommandTemplate[imp]
			if !ok {
				t.Errorf("basket: %s imports %q, which the basket does not hold", o.ObjectName, imp)
				continue
			}
			add(tmpl)
		}
		for k, raw := range o.Arguments {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("basket: %s argument %s: %v", o.ObjectName, k, err)
			}
			r.args[k] = confArgument(v)
		}
		for k, v := range o.Vars {
			r.vars[k] = Text(v)
		}
		for _, f := range o.Fields {
			fields = append(fields, f.DatafieldID)
		}
	}
	add(o)
	return r, fields
}

func commandNames(blocks []Block) []string {
	var names []string
	for _, b := range blocks {
		if b.Kind == "object" && b.Type == "CheckCommand" {
			names = append(names, b.Name)
		}
	}
	sort.Strings(names)
	return names
}

func keys[M ~map[string]V, V any](m M) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// The basket's CheckCommands are the file's: the same commands, every
// argument with the same attributes (value, set_if, repeat_key,
// description, ...), the same defaults, so the two cannot drift apart.
func TestBasketCommandsMatchCheckCommands(t *testing.T) {
	conf := loadConf(t, "itgrix-commands.conf")
	b := loadBasket(t)
	names := commandNames(conf)
	if len(names) == 0 {
		t.Fatal("itgrix-commands.conf defines no CheckCommand")
	}
	if got := keys(b.Command); strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("basket Commands %v, itgrix-commands.conf has %v", got, names)
	}
	for _, name := range names {
		want := confCommand(t, conf, name)
		got, _ := basketCommand(t, b, name)
		if got.command != want.command {
			t.Errorf("%s: basket runs %q, the file %q", name, got.command, want.command)
		}
		for _, arg := range keys(want.args) {
			g, ok := got.args[arg]
			if !ok {
				t.Errorf("%s: argument %s is missing from the basket", name, arg)
				continue
			}
			for _, attr := range keys(want.args[arg]) {
				if g[attr] != want.args[arg][attr] {
					t.Errorf("%s %s: %s is %q in the basket, %q in the file", name, arg, attr, g[attr], want.args[arg][attr])
				}
			}
			for _, attr := range keys(g) {
				if _, ok := want.args[arg][attr]; !ok {
					t.Errorf("%s %s: the basket sets %s, the file does not", name, arg, attr)
				}
			}
		}
		for _, arg := range keys(got.args) {
			if _, ok := want.args[arg]; !ok {
				t.Errorf("%s: the basket has argument %s, the file does not", name, arg)
			}
		}
		for _, v := range keys(want.vars) {
			w := want.vars[v]
			if alt, ok := basketOnly[v]; ok {
				w = alt
			}
			if got.vars[v] != w {
				t.Errorf("%s: default vars.%s is %q in the basket, want %q", name, v, got.vars[v], w)
			}
		}
		for _, v := range keys(got.vars) {
			if _, ok := want.vars[v]; !ok {
				t.Errorf("%s: the basket sets vars.%s, the file does not", name, v)
			}
		}
	}
}

var macro = regexp.MustCompile(`\$([a-z0-9_]+)\$`)

// Every custom variable an argument reads has a data field on the command,
// so Director's forms offer it; state variables pick from the states list.
func TestBasketFieldsCoverArguments(t *testing.T) {
	b := loadBasket(t)
	for _, name := range keys(b.Command) {
		r, ids := basketCommand(t, b, name)
		have := map[string]bool{}
		for _, id := range ids {
			f, ok := b.Datafield[fmt.Sprint(id)]
			if !ok {
				t.Errorf("%s: field %d is not among the basket's Datafields", name, id)
				continue
			}
			have[f.Varname] = true
		}
		for _, arg := range keys(r.args) {
			for _, attr := range []string{"value", "set_if"} {
				for _, m := range macro.FindAllStringSubmatch(r.args[arg][attr], -1) {
					if !have[m[1]] {
						t.Errorf("%s %s: no data field for %s", name, arg, m[1])
					}
				}
			}
		}
	}
	for id, f := range b.Datafield {
		if strings.HasSuffix(f.Varname, "_state") && f.Settings.Datalist != "itgrix-states" {
			t.Errorf("Datafield %s (%s) does not choose from itgrix-states", id, f.Varname)
		}
		if l := f.Settings.Datalist; l != "" && b.DataList[l] == nil {
			t.Errorf("Datafield %s (%s) names DataList %q, which the basket does not hold", id, f.Varname, l)
		}
	}
}

// No secret can travel through what Director renders: no env (the only way
// the password reaches the plugin in hand-written configuration), no
// password argument and no password variable; --extra-opts and
// --password-file are the ways in.
func TestBasketCarriesNoSecret(t *testing.T) {
	b := loadBasket(t)
	all := map[string]basketObject{}
	for k, o := range b.CommandTemplate {
		all["CommandTemplate "+k] = o
	}
	for k, o := range b.Command {
		all["Command "+k] = o
	}
	for k, o := range b.ServiceTemplate {
		all["ServiceTemplate "+k] = o
	}
	for k, o := range b.HostTemplate {
		all["HostTemplate "+k] = o
	}
	for where, o := range all {
		if o.Env != nil {
			t.Errorf("%s sets env", where)
		}
		for arg := range o.Arguments {
			if arg == "-P" || arg == "--password" {
				t.Errorf("%s passes %s on the command line", where, arg)
			}
		}
		for v := range o.Vars {
			if strings.Contains(v, "password") && v != "itgrix_password_file" {
				t.Errorf("%s sets vars.%s", where, v)
			}
		}
	}
	for _, want := range []string{"--extra-opts", "--password-file"} {
		if _, ok := b.CommandTemplate["itgrix-common"].Arguments[want]; !ok {
			t.Errorf("itgrix-common has no %s argument", want)
		}
	}
}

// The basket's service templates schedule and configure the checks as the
// network apply rules of itgrix-services.conf do.
func TestBasketServiceTemplatesMatchServices(t *testing.T) {
	conf := loadConf(t, "itgrix-services.conf")
	b := loadBasket(t)
	n := 0
	for _, s := range conf {
		if s.Kind != "apply" || s.Type != "Service" {
			continue
		}
		n++
		o, ok := b.ServiceTemplate[s.Name]
		if !ok {
			t.Errorf("basket has no ServiceTemplate %q", s.Name)
			continue
		}
		if o.ObjectType != "template" {
			t.Errorf("%s: object_type %q", s.Name, o.ObjectType)
		}
		for attr, got := range map[string]string{"check_command": o.CheckCommand, "check_interval": o.CheckInterval, "retry_interval": o.RetryInterval} {
			if want := Text(s.Attrs[attr]); got != want {
				t.Errorf("%s: %s is %q in the basket, %q in the file", s.Name, attr, got, want)
			}
		}
		want := map[string]string{}
		for k, v := range s.Attrs {
			if name, ok := strings.CutPrefix(k, "vars."); ok {
				want[name] = Text(v)
			}
		}
		got := map[string]string{}
		for k, v := range o.Vars {
			got[k] = Text(v)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: vars %v in the basket, %v in the file", s.Name, got, want)
		}
	}
	if n == 0 {
		t.Fatal("itgrix-services.conf has no apply Service rule")
	}
	if len(b.ServiceTemplate) != n {
		t.Errorf("basket has %d service templates, the file %d rules", len(b.ServiceTemplate), n)
	}
}

// The basket's service set gives a host that imports the host template one
// service per template, as the network apply rules give a host with
// vars.itgrix.
func TestBasketServiceSetCoversTemplates(t *testing.T) {
	b := loadBasket(t)
	set, ok := b.ServiceSet["itgrix"]
	if !ok {
		t.Fatal("basket has no ServiceSet itgrix")
	}
	if set.ObjectType != "template" || set.AssignFilter != "host.vars.itgrix=true" {
		t.Errorf("ServiceSet itgrix: %s, assigned by %q", set.ObjectType, set.AssignFilter)
	}
	if Text(b.HostTemplate["itgrix-pbx"].Vars["itgrix"]) != "true" {
		t.Errorf("HostTemplate itgrix-pbx does not set vars.itgrix = true")
	}
	for name := range b.ServiceTemplate {
		s, ok := set.Services[name]
		if !ok {
			t.Errorf("ServiceSet itgrix has no service %s", name)
			continue
		}
		if strings.Join(s.Imports, ",") != name {
			t.Errorf("ServiceSet itgrix: %s imports %v, want [%s]", name, s.Imports, name)
		}
	}
	if len(set.Services) != len(b.ServiceTemplate) {
		t.Errorf("ServiceSet itgrix has %d services, the basket %d templates", len(set.Services), len(b.ServiceTemplate))
	}
}
