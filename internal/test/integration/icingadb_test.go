package integration

import "testing"

// TestIcingaDBJudge: one ball per [STATE] of the plugin's output, each in
// that state and in order, and for a non-OK service its history's change
// to that state.
func TestIcingaDBJudge(t *testing.T) {
	r := Result{Case: Case{"stopped", App, Critical}, Output: "CRITICAL: Itgrix stopped",
		Long: "\\_[CRITICAL] app_state: \"stopped\"\n\\_[OK] users cache: 57 users\nlicence: Subscription"}
	history := []struct{ State, Output string }{{"CRITICAL", "CRITICAL: Itgrix stopped"}}
	good := servicePage{Balls: []string{"CRITICAL", "OK"}, History: history}
	var i IcingaDB
	if p := i.judge(good, r); len(p) != 0 {
		t.Fatalf("a faithful page fails: %v", p)
	}
	for name, page := range map[string]servicePage{
		"ball missing":      {Balls: []string{"CRITICAL"}, History: history},
		"ball's state":      {Balls: []string{"OK", "OK"}, History: history},
		"balls swapped":     {Balls: []string{"OK", "CRITICAL"}, History: history},
		"no history":        {Balls: good.Balls},
		"history elsewhere": {Balls: good.Balls, History: []struct{ State, Output string }{{"WARNING", "WARNING: Itgrix restarting"}}},
	} {
		if p := i.judge(page, r); len(p) == 0 {
			t.Errorf("%s: passed", name)
		}
	}
	// An OK service need not have changed state.
	ok := Result{Case: Case{"healthy", App, OK}, Output: "OK: Itgrix running", Long: "\\_[OK] app_state: \"\""}
	if p := i.judge(servicePage{Balls: []string{"OK"}}, ok); len(p) != 0 {
		t.Errorf("an OK service without history: %v", p)
	}
}
