package integration

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func readZabbixTemplate(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../../contrib/" + zabbixTemplate)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	zabbixMacroDef = regexp.MustCompile(`macro: '(\{\$[A-Z0-9.]+\})'(?:\n\s+value: '?([^'\n]*)'?)?`)
	zabbixMacroUse = regexp.MustCompile(`\{\$ITGRIX\.[A-Z0-9.]+\}`)
)

// Every macro the template uses is defined, and the description documents
// each with its default: the description is the operator's only list.
func TestZabbixTemplateMacros(t *testing.T) {
	tmpl := readZabbixTemplate(t)
	defined := map[string]string{}
	for _, m := range zabbixMacroDef.FindAllStringSubmatch(tmpl, -1) {
		defined[m[1]] = m[2]
	}
	if len(defined) < 10 {
		t.Fatalf("found %d macro definitions: the parser no longer matches the file", len(defined))
	}
	for _, used := range zabbixMacroUse.FindAllString(tmpl, -1) {
		if _, ok := defined[used]; !ok {
			t.Errorf("%s is used but not defined", used)
		}
	}
	for m, v := range defined {
		want := m + " (default '" + v + "')"
		if v == "" {
			want = m + " (default empty)"
		}
		if !strings.Contains(tmpl, want) {
			t.Errorf("the description does not document %s as %q", m, want)
		}
	}
}

// The engine runs the plugins with the flags the template's defaults stand
// for: a default changed in one place must be changed in the other.
func TestZabbixArgsMatchMacros(t *testing.T) {
	tmpl := readZabbixTemplate(t)
	defined := map[string]string{}
	for _, m := range zabbixMacroDef.FindAllStringSubmatch(tmpl, -1) {
		defined[m[1]] = m[2]
	}
	flags := []struct {
		check Check
		flag  string
		macro string
	}{
		{App, "--queue-warning", "{$ITGRIX.QUEUE.WARN}"},
		{App, "--queue-critical", "{$ITGRIX.QUEUE.CRIT}"},
		{App, "--storage-warning", "{$ITGRIX.STORAGE.WARN}"},
		{App, "--storage-critical", "{$ITGRIX.STORAGE.CRIT}"},
		{App, "--batch-warning", "{$ITGRIX.BATCH.WARN}"},
		{App, "--batch-critical", "{$ITGRIX.BATCH.CRIT}"},
		{App, "--cache-age-warning", "{$ITGRIX.CACHE.AGE.WARN}"},
		{App, "--cache-age-critical", "{$ITGRIX.CACHE.AGE.CRIT}"},
		{License, "-w", "{$ITGRIX.LICENSE.DAYS.WARN}"},
		{License, "-c", "{$ITGRIX.LICENSE.DAYS.CRIT}"},
	}
	for _, f := range flags {
		args := zabbixArgs[f.check]
		i := slices.Index(args, f.flag)
		if i < 0 || i+1 >= len(args) {
			t.Errorf("zabbixArgs[%s] has no %s", f.check, f.flag)
			continue
		}
		if args[i+1] != defined[f.macro] {
			t.Errorf("%s %s, but %s defaults to %q", f.flag, args[i+1], f.macro, defined[f.macro])
		}
	}
	types := HostSetting{List: true}
	for i, a := range zabbixArgs[License] {
		if a == "--expected-type" && i+1 < len(zabbixArgs[License]) {
			types.Values = append(types.Values, zabbixArgs[License][i+1])
		}
	}
	if len(types.Values) == 0 || types.ZabbixValue() != defined["{$ITGRIX.LICENSE.TYPES}"] {
		t.Errorf("--expected-type in zabbixArgs does not match {$ITGRIX.LICENSE.TYPES} %q", defined["{$ITGRIX.LICENSE.TYPES}"])
	}
}

// zabbixTriggers splits the template into trigger definitions: from a
// uuid followed by an expression to the next uuid.
func zabbixTriggers(tmpl string) []string {
	var out []string
	chunks := regexp.MustCompile(`(?m)^\s+uuid: `).Split(tmpl, -1)
	for _, c := range chunks[1:] {
		lines := strings.SplitN(c, "\n", 3)
		if len(lines) > 1 && strings.HasPrefix(strings.TrimSpace(lines[1]), "expression:") {
			out = append(out, c)
		}
	}
	return out
}

// Every trigger says which check it stands for, and every element trigger
// waits for the three triggers about reading the status, so that a dead
// endpoint or a wrong password is one problem.
func TestZabbixTriggers(t *testing.T) {
	triggers := zabbixTriggers(readZabbixTemplate(t))
	if len(triggers) < 15 {
		t.Fatalf("found %d triggers: the parser no longer matches the file", len(triggers))
	}
	fetch := 0
	for _, tr := range triggers {
		name := regexp.MustCompile(`(?m)^\s+name: (.*)$`).FindStringSubmatch(tr)[1]
		m := regexp.MustCompile(`tag: check\n\s+value: (\w+)`).FindStringSubmatch(tr)
		if m == nil || !slices.Contains([]string{"app", "license", "fetch"}, m[1]) {
			t.Errorf("%s: no check tag of app, license or fetch", name)
			continue
		}
		if m[1] == "fetch" {
			fetch++
			continue
		}
		for _, dep := range []string{"'Itgrix unreachable: {ITEM.LASTVALUE2}'", "'Itgrix status cannot be evaluated: {ITEM.LASTVALUE2}'", "'Itgrix: no status read for {$ITGRIX.NODATA}'"} {
			if !strings.Contains(tr, "name: "+dep) {
				t.Errorf("%s does not depend on %s", name, dep)
			}
		}
	}
	if fetch != 3 {
		t.Errorf("%d triggers about reading the status, want 3", fetch)
	}
}

// The self-test's breakages still find what they break, and a broken copy
// is renamed throughout, so it imports beside the real template.
func TestZabbixBreakagesApply(t *testing.T) {
	tmpl := readZabbixTemplate(t)
	for _, b := range zabbixBreakages {
		broken, err := b.apply(tmpl, "Itgrix broken")
		if err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		if strings.Contains(broken, zabbixTemplateHost) {
			t.Errorf("%s: the broken copy still names %s", b.name, zabbixTemplateHost)
		}
		for _, u := range zabbixUUID.FindAllString(broken, -1) {
			if strings.Contains(tmpl, u) {
				t.Errorf("%s: the broken copy keeps %s", b.name, u)
			}
		}
	}
	if got := uuid4(); !regexp.MustCompile(`^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$`).MatchString(got) {
		t.Errorf("uuid4() = %s, not a version 4 UUID", got)
	}
}

// Every host the engine creates has a row of expected severities.
func TestZabbixWantCoversCases(t *testing.T) {
	for _, s := range Scenarios(Cases) {
		if _, ok := zabbixWant[s]; !ok {
			t.Errorf("scenario %s has no row in zabbixWant", s)
		}
	}
}
