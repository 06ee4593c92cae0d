package integration

import (
	"strings"
	"testing"
)

func TestParseOutput(t *testing.T) {
	// The plugins print performance data after the long output, as the
	// guidelines allow: everything after the last '|'.
	d := ParseOutput(1, "WARNING: x\nlong 1\n\nlong 2 | 'a'=1;2;3 'time'=0.1s;;;0;\n")
	if d.State != 1 || d.Output != "WARNING: x" {
		t.Errorf("state %d, line 1 %q", d.State, d.Output)
	}
	if strings.Join(d.Long, "/") != "long 1/long 2" {
		t.Errorf("long %q", d.Long)
	}
	if d.Perfdata != "'a'=1;2;3 'time'=0.1s;;;0;" {
		t.Errorf("perfdata %q", d.Perfdata)
	}
}

func TestCompare(t *testing.T) {
	c := Case{"healthy", App, OK}
	plugin := Direct{State: OK, Output: "OK: fine", Long: []string{"a", "b", "c", `\_[OK] d`}, Perfdata: "'app_state'=0;;;0;2 'time'=0.002s;;;0;"}
	good := Result{Case: c, State: OK, Output: "OK: fine", Long: "a\nb\nc\n\\_[OK] d", Perfdata: "'app_state'=0;;;0;2 'time'=0.5s;;;0;"}
	if p := Compare(good, plugin); len(p) != 0 {
		t.Fatalf("a faithful record fails: %v", p)
	}
	for name, tc := range map[string]struct {
		mutate func(*Result)
		want   string
	}{
		"state":           {func(r *Result) { r.State = Warning }, "state 1"},
		"line 1":          {func(r *Result) { r.Output = "OK: other" }, "output"},
		"unit lost":       {func(r *Result) { r.Perfdata = "'app_state'=0;;;0;2 'time'=0.5;;;0;" }, "perfdata time"},
		"unit spaced":     {func(r *Result) { r.Perfdata = "'app_state'=0;;;0;2 'time'=0.5 s;;;0;" }, "format"},
		"label missing":   {func(r *Result) { r.Perfdata = "'time'=0.5s;;;0;" }, "labels"},
		"value differs":   {func(r *Result) { r.Perfdata = "'app_state'=1;;;0;2 'time'=0.5s;;;0;" }, "perfdata app_state"},
		"no perfdata":     {func(r *Result) { r.Perfdata = "" }, "none recorded"},
		"long output":     {func(r *Result) { r.Long = "a\nc" }, "long output"},
		"thresholds lost": {func(r *Result) { r.Perfdata = "'app_state'=0 'time'=0.5s;;;0;" }, "perfdata app_state"},
		"subcheck lost":   {func(r *Result) { r.Long = "a\nb\nc\nd" }, "subcheck lines"},
		"backslash lost":  {func(r *Result) { r.Long = "a\nb\nc\n_[OK] d" }, "subcheck lines"},
		"state differs":   {func(r *Result) { r.Long = "a\nb\nc\n\\_[WARNING] d" }, "subcheck lines"},
	} {
		r := good
		tc.mutate(&r)
		p := Compare(r, plugin)
		if !strings.Contains(strings.Join(p, "; "), tc.want) {
			t.Errorf("%s: problems %q, want one about %q", name, p, tc.want)
		}
	}
	// The users cache ages between the engine's run and the direct one:
	// a few seconds more in the later run pass, anything else does not.
	aged := plugin
	aged.Perfdata = "'app_state'=0;;;0;2 'time'=0.002s;;;0; 'users_cache_age'=307s;86400;259200;0;"
	for engine, ok := range map[string]bool{"306s": true, "307s": true, "308s": false, "6s": false, "306": false} {
		r := good
		r.Perfdata = "'app_state'=0;;;0;2 'time'=0.5s;;;0; 'users_cache_age'=" + engine + ";86400;259200;0;"
		if p := Compare(r, aged); (len(p) == 0) != ok {
			t.Errorf("users_cache_age %s against the plugin's 307s: %v", engine, p)
		}
	}
	// A subcheck line's age grows between the two runs like the metric,
	// and the simulator's timestamps follow the time it is asked.
	older := plugin
	older.Long = []string{"a", "b", "c", `\_[OK] d updated 2026-12-06 21:37:31.512 +00:00 (7m ago)`}
	r := good
	r.Long = "a\nb\nc\n\\_[OK] d updated 2026-12-06 21:37:28.5 +00:00 (6m ago)"
	if p := Compare(r, older); len(p) != 0 {
		t.Errorf("an age grown between the runs fails: %v", p)
	}
	// The plugin itself giving the wrong state fails the case too.
	wrong := plugin
	wrong.State = Critical
	if p := Compare(good, wrong); len(p) == 0 {
		t.Error("a plugin state off the table passes")
	}
}

// TestStatusUnescape: status.dat's escapes undone in one pass, so the
// backslash of a subcheck line survives whether or not the engine
// doubled it.
func TestStatusUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`line 1\n\_[OK] a`:  "line 1\n\\_[OK] a",
		`line 1\n\\_[OK] a`: "line 1\n\\_[OK] a",
		`a\\nb`:             `a\nb`,
		`trailing \`:        `trailing \`,
		`no escapes at all`: `no escapes at all`,
	} {
		if got := statusUnescape(in); got != want {
			t.Errorf("statusUnescape(%q) = %q, want %q", in, got, want)
		}
	}
}
