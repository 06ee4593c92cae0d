package icingaconf

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// serviceMayPin are the vars an apply rule may set although a command
// reads them: the agent's services talk to the PBX's own loopback, which
// no host should redirect.
var serviceMayPin = map[string]bool{"itgrix_address": true}

// A PBX overrides the shipped defaults with its own host vars. Icinga
// resolves a macro from the service's vars, then the host's, then the
// command's, so a threshold set by an apply rule would silently beat the
// host's value: defaults belong on the CheckCommands, as in the ITL.
func TestApplyRulesLeaveThresholdsToHosts(t *testing.T) {
	conf := loadConf(t, "itgrix-commands.conf")
	read := map[string]bool{}
	for _, name := range commandNames(conf) {
		for _, arg := range confCommand(t, conf, name).args {
			for _, attr := range []string{"value", "set_if"} {
				for _, m := range macro.FindAllStringSubmatch(arg[attr], -1) {
					read[m[1]] = true
				}
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(contribDir, "*.conf"))
	for _, f := range files {
		for _, b := range loadConf(t, filepath.Base(f)) {
			if b.Kind != "apply" {
				continue
			}
			for k := range b.Attrs {
				if v, ok := strings.CutPrefix(k, "vars."); ok && read[v] && !serviceMayPin[v] {
					t.Errorf("%s: apply %s %q sets vars.%s, which a host can then not override", filepath.Base(f), b.Type, b.Name, v)
				}
			}
		}
	}
}

// The shipped licence rule expects a paid licence: a fall-back to Free
// pages, a Subscription or Professional customer is never paged for the
// type they pay for.
func TestDefaultExpectedTypesArePaid(t *testing.T) {
	conf := loadConf(t, "itgrix-commands.conf")
	got := confCommand(t, conf, "itgrix-license").vars["itgrix_license_expected_type"]
	if got != "[Professional, Subscription]" {
		t.Errorf("itgrix-license expects %q by default, want [Professional, Subscription]", got)
	}
	b := loadBasket(t)
	r, _ := basketCommand(t, b, "itgrix-license")
	if r.vars["itgrix_license_expected_type"] != got {
		t.Errorf("basket expects %q by default, the file %q", r.vars["itgrix_license_expected_type"], got)
	}
}

// Director: the service templates set none of the vars the commands
// read, and the host template offers a data field for each default a
// command sets, so a PBX's own value is one form field away.
func TestBasketHostsOverrideDefaults(t *testing.T) {
	b := loadBasket(t)
	fields := map[string]bool{}
	for _, f := range b.HostTemplate["itgrix-pbx"].Fields {
		fields[b.Datafield[fmt.Sprint(f.DatafieldID)].Varname] = true
	}
	read := map[string]bool{}
	for _, name := range keys(b.Command) {
		r, _ := basketCommand(t, b, name)
		for _, arg := range r.args {
			for _, m := range macro.FindAllStringSubmatch(arg["value"]+arg["set_if"], -1) {
				read[m[1]] = true
			}
		}
		for v := range b.Command[name].Vars {
			if !fields[v] {
				t.Errorf("HostTemplate itgrix-pbx has no data field for %s's default %s", name, v)
			}
		}
	}
	for _, name := range keys(b.ServiceTemplate) {
		for v := range b.ServiceTemplate[name].Vars {
			if read[v] && !serviceMayPin[v] {
				t.Errorf("ServiceTemplate %s sets vars.%s, which a host can then not override", name, v)
			}
		}
	}
}
