package integration

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// graphiteSink is a stand-in for carbon's plaintext listener: it records
// every metric line Icinga's GraphiteWriter sends, so the run can prove
// Icinga parsed each performance-data value into a number.
type graphiteSink struct {
	ln        net.Listener
	mu        sync.Mutex
	lines     []string
	connected chan struct{}
	once      sync.Once
}

func newGraphiteSink() Component { return &graphiteSink{connected: make(chan struct{})} }

func (g *graphiteSink) Start(ctx context.Context, env *Env) error {
	var err error
	if g.ln, err = net.Listen("tcp4", "127.0.0.1:0"); err != nil {
		return err
	}
	go func() {
		for {
			c, err := g.ln.Accept()
			if err != nil {
				return
			}
			g.once.Do(func() { close(g.connected) })
			go g.serve(c)
		}
	}()
	return nil
}

func (g *graphiteSink) serve(c net.Conn) {
	defer c.Close()
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		g.mu.Lock()
		g.lines = append(g.lines, sc.Text())
		g.mu.Unlock()
	}
}

func (g *graphiteSink) Stop() {
	if g.ln != nil {
		g.ln.Close()
	}
}

func (g *graphiteSink) IcingaConfig(*Env) string {
	_, port, _ := net.SplitHostPort(g.ln.Addr().String())
	return fmt.Sprintf(`object GraphiteWriter "graphite" { host = "127.0.0.1"; port = %s }`, port)
}

func (g *graphiteSink) IcingaReady(ctx context.Context, _ *IcingaAPI) error {
	select {
	case <-g.connected:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("icinga2's GraphiteWriter did not connect: %w", ctx.Err())
	}
}

// Check: for each of Icinga's results, every label the plugin prints
// (run directly) arrived as a number under that host and service.
func (g *graphiteSink) Check(ctx context.Context, env *Env, in Inputs) (Report, error) {
	type want struct {
		name, prefix string
		labels       []string
	}
	var wants []want
	for _, r := range in["icinga2"].Results {
		d, err := DirectRun(ctx, env, r)
		if err != nil {
			return Report{}, err
		}
		wants = append(wants, want{
			name:   r.Case.Scenario + "/" + r.Service,
			prefix: "icinga2." + graphiteEscape(r.Case.Scenario) + ".services." + graphiteEscape(r.Service) + ".",
			labels: sortedKeys(parsePerf(d.Perfdata)),
		})
	}
	judge := func() []Verdict {
		g.mu.Lock()
		defer g.mu.Unlock()
		var out []Verdict
		for _, w := range wants {
			var bad []string
			for _, l := range w.labels {
				if !g.numeric(w.prefix, l) {
					bad = append(bad, l)
				}
			}
			v := Verdict{Name: w.name + " metrics arrive as numbers"}
			if len(bad) > 0 || len(w.labels) == 0 {
				v.Err = fmt.Errorf("missing or not a number: %v", bad)
			}
			out = append(out, v)
		}
		return out
	}
	// The writer sends asynchronously: wait, bounded, for every metric.
	deadline := time.Now().Add(20 * time.Second)
	for {
		vs := judge()
		failed := false
		for _, v := range vs {
			failed = failed || v.Err != nil
		}
		if !failed || time.Now().After(deadline) || ctx.Err() != nil {
			return Report{Verdicts: vs}, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// numeric: a line "PREFIX<command>.perfdata.LABEL.value NUMBER TS" arrived.
func (g *graphiteSink) numeric(prefix, label string) bool {
	suffix := ".perfdata." + graphiteEscape(label) + ".value"
	for _, l := range g.lines {
		f := strings.Fields(l)
		if len(f) == 3 && strings.HasPrefix(f[0], prefix) && strings.HasSuffix(f[0], suffix) {
			if _, err := strconv.ParseFloat(f[1], 64); err == nil {
				return true
			}
		}
	}
	return false
}

// graphiteEscape is how Icinga's GraphiteWriter escapes a path element.
func graphiteEscape(s string) string {
	return strings.NewReplacer(".", "_", " ", "_", "\\", "_", "/", "_").Replace(s)
}
