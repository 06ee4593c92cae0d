// Command variants runs several variants of one check side by side,
// interleaved, and prints per variant the medians of wall time, user+sys
// CPU and minor page faults, and the peak RSS, from each process's own
// wait4 rusage. It is how the attempts to lower the cost per check in
// docs/performance.md were measured.
//
// usage: variants -runs 200 'name: VAR=v ... -- argv...' ...
// Each variant is one argument: a name, then ':', then optional VAR=value
// words, '--', and the command.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

type variant struct {
	name      string
	env, argv []string
	wall, cpu []time.Duration
	minflt    []int64
	rss       int64
	bad       int
}

func main() {
	runs := flag.Int("runs", 200, "interleaved runs per variant")
	flag.Parse()
	var vs []*variant
	for _, a := range flag.Args() {
		name, rest, _ := strings.Cut(a, ":")
		envPart, cmd, ok := strings.Cut(rest, "--")
		if !ok {
			fmt.Fprintf(os.Stderr, "variant %q: want name:[VAR=v ...] -- command\n", a)
			os.Exit(2)
		}
		vs = append(vs, &variant{name: name, env: strings.Fields(envPart), argv: strings.Fields(cmd)})
	}
	for i := 0; i <= *runs; i++ {
		// Each round starts at the next variant: whichever runs right after
		// the heaviest one (the recipe) finds colder caches.
		for k := range vs {
			v := vs[(i+k)%len(vs)]
			c := exec.Command(v.argv[0], v.argv[1:]...)
			c.Env = append(os.Environ(), v.env...)
			start := time.Now()
			err := c.Run()
			wall := time.Since(start)
			if i == 0 { // warm-up
				continue
			}
			if _, ok := err.(*exec.ExitError); err != nil && !ok {
				v.bad++
				continue
			}
			ru := c.ProcessState.SysUsage().(*syscall.Rusage)
			v.wall = append(v.wall, wall)
			v.cpu = append(v.cpu, c.ProcessState.UserTime()+c.ProcessState.SystemTime())
			v.minflt = append(v.minflt, ru.Minflt)
			v.rss = max(v.rss, ru.Maxrss)
		}
	}
	fmt.Printf("| variant | wall median (ms) | user+sys median (ms) | CPU vs first | minor faults median | peak RSS (MiB) |\n|---|---|---|---|---|---|\n")
	if len(vs) == 0 || len(vs[0].cpu) == 0 {
		fmt.Fprintln(os.Stderr, "variants: the first variant never ran")
		os.Exit(1)
	}
	base := median(vs[0].cpu)
	for _, v := range vs {
		if len(v.cpu) == 0 {
			fmt.Printf("| %s | could not run (%d failures) | | | | |\n", v.name, v.bad)
			continue
		}
		f := slices.Clone(v.minflt)
		slices.Sort(f)
		fmt.Printf("| %s | %.2f | %.2f | %.2f | %d | %.1f |\n", v.name, ms(median(v.wall)), ms(median(v.cpu)),
			float64(median(v.cpu))/float64(base), f[len(f)/2], float64(v.rss)/1024)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
