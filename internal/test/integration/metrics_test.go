package integration

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseMetric(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		tok        string
		ok         bool
		label      string
		value      float64
		warn, crit *float64
	}{
		{"'calls_queue'=17;10;50;0;", true, "calls_queue", 17, f(10), f(50)},
		{"'time'=0.001209s;;;0;", true, "time", 0.001209, nil, nil},
		{"time=12.5ms", true, "time", 0.0125, nil, nil},
		{"time=250us;1000;2000", true, "time", 0.00025, f(0.001), f(0.002)},
		// Ranges are not sent by Icinga's writers: no threshold expected.
		{"'days_left'=10;30:;7:;;", true, "days_left", 10, nil, nil},
		{"'days_left'=-3;30:;7:;;", true, "days_left", -3, nil, nil},
		// What the self-test's broken plugin prints: no writer can carry it.
		{"s;;;0;", false, "", 0, nil, nil},
		{"'time'=0.001", true, "time", 0.001, nil, nil},
		{"x=1d", false, "", 0, nil, nil},
		{"x=abc", false, "", 0, nil, nil},
	} {
		m, ok := parseMetric(tc.tok)
		if ok != tc.ok {
			t.Errorf("%q: ok %v, want %v", tc.tok, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if m.Label != tc.label || !sameNumber(m.Value, tc.value) || !samePtr(m.Warn, tc.warn) || !samePtr(m.Crit, tc.crit) {
			t.Errorf("%q: got %+v (warn %v crit %v)", tc.tok, m, deref(m.Warn), deref(m.Crit))
		}
	}
}

func samePtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return sameNumber(*a, *b)
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestExpectedMetricsRefusesBrokenPerfdata(t *testing.T) {
	if _, err := expectedMetrics(Result{Perfdata: "'app_state'=0;;;0;2 'time'=0.001 s;;;0;"}); err == nil {
		t.Error("a stray unit token passed")
	}
	if _, err := expectedMetrics(Result{Perfdata: ""}); err == nil {
		t.Error("no perfdata passed")
	}
	ms, err := expectedMetrics(Result{Perfdata: "'app_state'=0;;;0;2 'time'=0.001s;;;0;"})
	if err != nil || len(ms) != 2 {
		t.Errorf("got %v, %v", ms, err)
	}
}

func TestCompareGraphite(t *testing.T) {
	base := graphitePath("pbx 1", "itgrix-app", "itgrix-app")
	if base != "icinga2.pbx_1.services.itgrix-app.itgrix-app" {
		t.Fatalf("path %s", base)
	}
	want, err := expectedMetrics(Result{Perfdata: "'calls_queue'=17;10;50;0; 'time'=1.5ms"})
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]float64{
		base + ".perfdata.calls_queue.value": 17, base + ".perfdata.calls_queue.warn": 10,
		base + ".perfdata.calls_queue.crit": 50, base + ".perfdata.time.value": 0.0015, base + ".metadata.state": 2,
	}
	if err := compareGraphite(good, base, want, 2); err != nil {
		t.Errorf("good: %v", err)
	}
	for name, mutate := range map[string]func(map[string]float64){
		"value":   func(m map[string]float64) { m[base+".perfdata.calls_queue.value"] = 18 },
		"missing": func(m map[string]float64) { delete(m, base+".perfdata.time.value") },
		"unit":    func(m map[string]float64) { m[base+".perfdata.time.value"] = 1.5 },
		"warn":    func(m map[string]float64) { delete(m, base+".perfdata.calls_queue.warn") },
		"state":   func(m map[string]float64) { m[base+".metadata.state"] = 0 },
	} {
		m := map[string]float64{}
		for k, v := range good {
			m[k] = v
		}
		mutate(m)
		if compareGraphite(m, base, want, 2) == nil {
			t.Errorf("%s: passed", name)
		}
	}
}

func TestFillVariables(t *testing.T) {
	vars := map[string]string{"$host": "(a|b)", "$timeFilter": "time >= now() - 30d", "$__interval": "1h"}
	q, err := fillVariables(`SELECT last("value") FROM "x" WHERE ("hostname" =~ /^$host$/) AND $timeFilter GROUP BY time($__interval)`, vars)
	if err != nil || q != `SELECT last("value") FROM "x" WHERE ("hostname" =~ /^(a|b)$/) AND time >= now() - 30d GROUP BY time(1h)` {
		t.Errorf("got %q, %v", q, err)
	}
	if _, err := fillVariables(`SELECT * FROM "x" WHERE $pbx AND ${other}`, vars); err == nil {
		t.Error("an unfilled variable passed")
	}
}

func TestDocumentedInfluxdbWriter(t *testing.T) {
	block, err := documentedInfluxdbWriter(filepath.Join("..", "..", "..", "docs", "graphing.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"object InfluxdbWriter", "host = ", "port = ", "measurement = \"$service.check_command$\""} {
		if !strings.Contains(block, want) {
			t.Errorf("the documented writer lacks %q:\n%s", want, block)
		}
	}
}

func TestCheckPerfTable(t *testing.T) {
	r := Result{Perfdata: "'days_left'=10;30:;7:;; 'license_type'=2;;;0;2 'time'=0.008905s;;;0; 'calls_queue'=17;10;50;0;"}
	rows := [][]string{
		{"", "Label", "Value", "Max", "Warning", "Critical"},
		{"", "days_left", "10.00", "-", "30:", "7:"},
		{"", "license_type", "2.00", "2.00", "-", "-"},
		{"", "time", "8.91 ms", "-", "-", "-"},
		{"", "calls_queue", "17.00", "-", "10.00", "50.00"},
	}
	if p := checkPerfTable(rows, r, false); len(p) != 0 {
		t.Errorf("good table: %v", p)
	}
	// Icinga DB Web shows Icinga 2's normalised performance data: a range
	// threshold is gone, a plain one stays.
	normalised := [][]string{rows[0], {"", "days_left", "10.00", "None", "None", "None"}, rows[2], rows[3], rows[4]}
	if p := checkPerfTable(normalised, r, true); len(p) != 0 {
		t.Errorf("normalised table: %v", p)
	}
	if p := checkPerfTable(normalised, r, false); len(p) == 0 {
		t.Error("ranges shown as none passed where the UI shows them")
	}
	normalised[4] = []string{"", "calls_queue", "17.00", "None", "None", "50.00"}
	if p := checkPerfTable(normalised, r, true); len(p) == 0 {
		t.Error("a plain threshold shown as none passed")
	}
	for name, edit := range map[string]func([][]string){
		"value":     func(t [][]string) { t[1][2] = "11.00" },
		"unit":      func(t [][]string) { t[3][2] = "8.91" },
		"range":     func(t [][]string) { t[1][4] = "-" },
		"threshold": func(t [][]string) { t[4][5] = "5.00" },
		"row":       func(t [][]string) { t[2][1] = "other" },
	} {
		c := make([][]string, len(rows))
		for i := range rows {
			c[i] = append([]string(nil), rows[i]...)
		}
		edit(c)
		if p := checkPerfTable(c, r, false); len(p) == 0 {
			t.Errorf("%s: passed", name)
		}
	}
}

func TestCheckGraphs(t *testing.T) {
	r := Result{Case: Case{Scenario: "stopped"}, Service: "itgrix-app"}
	src := "/graphite/graph/service?host.name=stopped&service.name=itgrix-app&itgrix_metric=app_state"
	page := servicePage{}
	page.Graphs = append(page.Graphs, struct {
		Src                  string
		Width, Height, Drawn int
	}{src, 1064, 220, 40})
	if p := checkGraphs(page, r); len(p) != 0 {
		t.Errorf("drawn graph: %v", p)
	}
	page.Graphs[0].Drawn = 0
	if p := checkGraphs(page, r); len(p) == 0 {
		t.Error("an empty graph passed")
	}
	page.Graphs[0].Drawn, page.Graphs[0].Src = 40, strings.Replace(src, "stopped", "healthy", 1)
	if p := checkGraphs(page, r); len(p) == 0 {
		t.Error("another host's graph passed")
	}
}

func TestCheckPies(t *testing.T) {
	stopped := Result{Perfdata: "'app_state'=2;0;1;0;2 'app_status'=0;0;1;0;2 'time'=0.01s;;;0;"}
	for name, tc := range map[string]struct {
		pies map[string][]string
		ok   bool
	}{
		"red":        {map[string][]string{"app_state": {pieCritical, "#ddccdd"}}, true},
		"orange":     {map[string][]string{"app_state": {pieWarning}}, true},
		"full green": {map[string][]string{"app_state": {pieOK}}, false},
		"no pie":     {map[string][]string{}, false},
		"green, 0":   {map[string][]string{"app_state": {pieCritical}, "app_status": {pieOK}}, true},
	} {
		if p := checkPies(tc.pies, stopped); (len(p) == 0) != tc.ok {
			t.Errorf("%s: %v", name, p)
		}
	}
}
