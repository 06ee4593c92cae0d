package check

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	nagios "github.com/atc0005/go-nagios"
)

// goNagiosRender is how the output was rendered before render was written:
// through go-nagios, the library whose layout the plugins print.
func goNagiosRender(r Result, perf []perfValue) string {
	var buf bytes.Buffer
	p := &nagios.Plugin{ExitStatusCode: int(r.State)}
	p.SetOutputTarget(&buf)
	p.SkipOSExit()
	p.ServiceOutput = r.State.String() + ": " + r.Summary
	if len(r.Long) > 0 {
		p.LongServiceOutput = strings.Join(r.Long, nagios.CheckOutputEOL)
	}
	for _, m := range perf {
		_ = p.AddPerfData(true, nagios.PerformanceData{
			Label: m.Label, Value: m.value, UnitOfMeasurement: m.UOM,
			Warn: m.Warn, Crit: m.Crit, Min: m.Min, Max: m.Max,
		})
	}
	p.ReturnCheckResults()
	return buf.String()
}

// TestRenderAsGoNagios: render writes the bytes go-nagios wrote, at every
// edge of its layout (no long output, long output, trailing blanks on line
// 1, an empty long line, no metrics, metrics alike but for case, empty
// fields) and on random results.
func TestRenderAsGoNagios(t *testing.T) {
	if eol != nagios.CheckOutputEOL {
		t.Fatalf("eol %q, go-nagios %q", eol, nagios.CheckOutputEOL)
	}
	pv := func(label, value string) perfValue {
		return perfValue{Perf{Label: label, UOM: "s", Warn: "1:", Crit: "@2:3", Min: "0"}, value}
	}
	cases := []struct {
		name string
		r    Result
		perf []perfValue
	}{
		{"line 1 only", Result{State: OK, Summary: "fine"}, nil},
		{"line 1 with trailing blanks", Result{State: Warning, Summary: "queue 12 \t "}, nil},
		{"trailing blanks and long output", Result{State: Warning, Summary: "queue 12 ", Long: []string{"a"}}, nil},
		{"long output", Result{State: Critical, Summary: "stopped", Long: []string{"one", "two"}}, nil},
		{"one empty long line", Result{State: OK, Summary: "ok", Long: []string{""}}, []perfValue{pv("time", "0.01")}},
		{"metrics", Result{State: OK, Summary: "ok"}, []perfValue{pv("time", "0.01"), pv("queue", "3"), pv("Age", "5")}},
		{"metrics and long output", Result{State: Unknown, Summary: "x", Long: []string{"l"}}, []perfValue{pv("b", "1"), pv("a", "2")}},
		{"labels alike but for case", Result{State: OK, Summary: "ok"}, []perfValue{pv("Queue", "1"), pv("queue", "2"), pv("QUEUE", "3")}},
		{"empty fields", Result{State: OK, Summary: "ok"}, []perfValue{{Perf{Label: "n"}, "7"}}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"", " ", "\t", "a", "é", "queue 3", "' q", "x;y", " \n"}
	pick := func() string { return words[rng.IntN(len(words))] }
	for i := 0; i < 300; i++ {
		r := Result{State: State(rng.IntN(4)), Summary: pick() + pick()}
		for n := rng.IntN(3); n > 0; n-- {
			r.Long = append(r.Long, pick())
		}
		var perf []perfValue
		for n := rng.IntN(4); n > 0; n-- {
			perf = append(perf, perfValue{Perf{Label: []string{"a", "A", "b", "time"}[rng.IntN(4)], UOM: pick(), Warn: pick(), Max: pick()}, pick()})
		}
		cases = append(cases, struct {
			name string
			r    Result
			perf []perfValue
		}{"random", r, perf})
	}
	for _, c := range cases {
		if got, want := render(c.r, c.perf), goNagiosRender(c.r, c.perf); got != want {
			t.Errorf("%s: %#v %#v\nrender    %q\ngo-nagios %q", c.name, c.r, c.perf, got, want)
		}
	}
}
