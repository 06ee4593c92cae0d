package integration

import (
	"context"
	"slices"
	"testing"
)

type fakeEngine struct{}

func (fakeEngine) Start(context.Context, *Env) error { return nil }
func (fakeEngine) Stop()                             {}
func (fakeEngine) Check(context.Context, *Env, Inputs) (Report, error) {
	return Report{}, nil
}

type fakeFixture struct{}

func (fakeFixture) Start(context.Context, *Env) error { return nil }
func (fakeFixture) Stop()                             {}

func TestPlan(t *testing.T) {
	eng := func() Component { return fakeEngine{} }
	fix := func() Component { return fakeFixture{} }
	specs := []Spec{
		{Name: "pbx", New: fix},
		{Name: "sink", New: eng, Reads: []string{"icinga"}},
		{Name: "icinga", New: eng, Needs: []string{"pbx"}, After: []string{"sink"}},
		{Name: "nagios", New: eng, Needs: []string{"pbx"}},
	}
	for _, tc := range []struct {
		engines      []string
		start, check []string
	}{
		// The sink starts before Icinga (its writer connects at start) but is
		// checked after it (it reads Icinga's results).
		{nil, []string{"pbx", "sink", "icinga", "nagios"}, []string{"icinga", "sink", "nagios"}},
		{[]string{"nagios"}, []string{"pbx", "nagios"}, []string{"nagios"}},
		// After does not select: Icinga alone runs without the sink.
		{[]string{"icinga"}, []string{"pbx", "icinga"}, []string{"icinga"}},
		// Reads selects.
		{[]string{"sink"}, []string{"pbx", "sink", "icinga"}, []string{"icinga", "sink"}},
	} {
		start, check, err := plan(specs, tc.engines)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names(start), tc.start) || !slices.Equal(names(check), tc.check) {
			t.Errorf("%v: start %v check %v, want %v %v", tc.engines, names(start), names(check), tc.start, tc.check)
		}
	}
	if _, _, err := plan(specs, []string{"nope"}); err == nil {
		t.Error("an unknown engine is accepted")
	}
	cyc := []Spec{{Name: "a", New: eng, Needs: []string{"b"}}, {Name: "b", New: eng, Needs: []string{"a"}}}
	if _, _, err := plan(cyc, nil); err == nil {
		t.Error("a cycle is accepted")
	}
}

func TestRegistryPlans(t *testing.T) {
	if _, _, err := plan(Registry, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Packages(Registry, []string{"naemon"}); err != nil {
		t.Fatal(err)
	}
}

func TestPickNet(t *testing.T) {
	nt, err := PickNet("127.15.0.0/16", 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	if nt.Prefix.Bits() != 24 || nt.Prefix.Addr().As4()[1] != 15 {
		t.Errorf("picked %s outside 127.15.0.0/16", nt.Prefix)
	}
	if h := nt.Host(0); h == nt.Prefix.Addr().String() {
		t.Errorf("host 0 is the network address %s", h)
	}
	for _, bad := range []string{"10.0.0.0/8", "127.1.2.3/31", "nonsense"} {
		if _, err := PickNet(bad, 6, nil); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestUnscannedDirs: an engine's checkout scan covers the dirs of what it
// needs (the NRPE engine's config is nrpe-pbx's), each dir once per run.
func TestUnscannedDirs(t *testing.T) {
	dirsOf := unscannedDirs(Registry)
	for _, c := range []struct {
		engine string
		want   []string
	}{
		{"nrpe", []string{"nrpe", "pbx", "nrpe-pbx"}},
		{"nagios-nrpe", []string{"nagios-nrpe"}},
		{"icinga-agent", []string{"icinga-agent", "icinga-cluster"}},
		{"icinga-satellite", []string{"icinga-satellite"}},
		{"icingaweb", []string{"icingaweb", "mariadb", "graphite"}},
	} {
		if got := dirsOf(c.engine); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.engine, got, c.want)
		}
	}
}
