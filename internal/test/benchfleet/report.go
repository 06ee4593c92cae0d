package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

// report writes the markdown tables and the gnuplot data.
func (b *bench) report(rungs []rung, best map[string]int) {
	o := b.o
	scale := 60 / o.interval.Seconds()
	var s strings.Builder
	cpu := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	fmt.Fprintf(&s, "Run on %s: %d cores (%s), the engine (%s) pinned to CPU %s with its checks, itgrix-sim --fleet on CPU %s; check interval %s standing for 60 s (PBXs at 60 s = N × %.0f); %s measured per rung after the first round.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), cpu, strings.Join(o.engines, ", then "), o.engineCPU, o.simCPU, o.interval, scale, o.window)
	fmt.Fprintf(&s, "| engine | command | N | PBXs at 60 s | checks/s scheduled | sustained | latency avg (s) | max | exec avg (s) | max | poller CPU per check (ms) | poller cores busy | peak RSS, engine + checks (MiB) | engine peak (MiB) | simulator (%% of a core) | OK/W/C/U | |\n")
	fmt.Fprintf(&s, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rungs {
		fmt.Fprintf(&s, "| %s | %s | %d | %d | %.1f | %.1f | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %.0f | %.0f | %.1f | %d/%d/%d/%d | %s |\n",
			r.engine, r.cmd, r.n, int(float64(r.n)*scale), r.want, r.rate, r.avgLat, r.maxLat, r.avgExec, r.maxExec,
			r.cpuPerCheck*1000, r.cpuPerCheck*r.rate, float64(r.peakRSS)/1024, float64(r.hwm)/1024, r.simCPU*100,
			r.states[0], r.states[1], r.states[2], r.states[3], verdict(r.ok))
	}
	fmt.Fprintf(&s, "\nLargest fleet sustained on one poller core (average latency under 1 s, at least 95 %% of the scheduled checks done):\n\n| engine | command | N at %s | PBXs per core at a 60 s interval |\n|---|---|---|---|\n", o.interval)
	for _, e := range o.engines {
		for _, c := range commands {
			if n, ok := best[e+"/"+c.name]; ok && c.name != "floor" {
				fmt.Fprintf(&s, "| %s | %s | %d | %d |\n", e, c.name, n, int(float64(n)*scale))
			}
		}
		if best[e+"/recipe"] > 0 {
			fmt.Fprintf(&s, "\n%s: plugin / recipe fleet per core %.1f.\n\n", e, float64(best[e+"/plugin"])/float64(best[e+"/recipe"]))
		}
	}
	if o.out != "" {
		_ = os.WriteFile(o.out, []byte(s.String()), 0o644)
	}
	if o.data == "" {
		return
	}
	// One gnuplot block per engine and command, in a fixed order; a block
	// with no rungs holds one undefined point so the indexes stay put.
	var d strings.Builder
	for _, e := range []string{"icinga2", "naemon"} {
		for _, c := range commands {
			var rs []rung
			for _, r := range rungs {
				if r.engine == e && r.cmd == c.name {
					rs = append(rs, r)
				}
			}
			sort.Slice(rs, func(i, j int) bool { return rs[i].n < rs[j].n })
			fmt.Fprintf(&d, "# %s %s: PBXs-at-60s checks/s-scheduled checks/s-sustained latency-avg-s cpu-per-check-ms\n", e, c.name)
			if len(rs) == 0 {
				d.WriteString("NaN NaN NaN NaN NaN\n")
			}
			for _, r := range rs {
				fmt.Fprintf(&d, "%d %.2f %.2f %.4f %.3f\n", int(float64(r.n)*scale), r.want, r.rate, r.avgLat, r.cpuPerCheck*1000)
			}
			d.WriteString("\n\n")
		}
	}
	_ = os.WriteFile(o.data, []byte(d.String()), 0o644)
}
