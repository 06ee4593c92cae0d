// Command variants runs several variants of one check side by side,
// interleaved, and prints per variant the medians of wall time, user+sys
// CPU and minor page faults, from each process's own wait4 rusage, and the
// median peak RSS of the same command run again in the same turn under
// /usr/bin/time (a child of a Go program reports the parent's peak: see
// .ci/bench/measure). It is how the attempts to lower the cost per check
// in docs/performance.md were measured.
//
// Every run of a variant must exit as its warm-up run did; a variant that
// cannot start, or whose exit code changes, makes variants exit 1 after the
// table (its row says so) rather than give figures for something else.
//
// usage: variants -runs 200 'name: VAR=v ... -- argv...' ...
// Each variant is one argument: a name, then ':', then optional VAR=value
// words, '--', and the command.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type variant struct {
	name      string
	env, argv []string
	wall, cpu []time.Duration
	minflt    []int64
	rss       []int64
	code      int
	bad       int
}

// peak runs argv under /usr/bin/time and returns its peak RSS in KiB and
// its exit code, or -1 for a run that could not be measured.
func peak(env, argv []string, report string) (int64, int) {
	c := exec.Command("/usr/bin/time", append([]string{"-f", "%M %x", "-o", report}, argv...)...)
	c.Env = append(os.Environ(), env...)
	_ = c.Run()
	b, err := os.ReadFile(report)
	f := strings.Fields(string(b))
	if err != nil || len(f) < 2 {
		return -1, -1
	}
	kib, err1 := strconv.ParseInt(f[len(f)-2], 10, 64)
	code, err2 := strconv.Atoi(f[len(f)-1])
	if err1 != nil || err2 != nil || kib <= 0 {
		return -1, -1
	}
	return kib, code
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
	dir, err := os.MkdirTemp("", "variants-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	report := filepath.Join(dir, "rss")
	// Each round runs the variants in a new order: one that always ran
	// right after the same other (the recipe, say) would always find the
	// caches and the CPU's clock as that one left them. The seed is fixed
	// so that a run can be repeated.
	rng := rand.New(rand.NewPCG(1, 2))
	order := slices.Clone(vs)
	for i := 0; i <= *runs; i++ {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, v := range order {
			c := exec.Command(v.argv[0], v.argv[1:]...)
			c.Env = append(os.Environ(), v.env...)
			start := time.Now()
			err := c.Run()
			wall := time.Since(start)
			if _, ok := err.(*exec.ExitError); err != nil && !ok {
				v.bad++
				continue
			}
			code := c.ProcessState.ExitCode()
			if i == 0 { // warm-up: says what every run must exit with
				v.code = code
				continue
			}
			kib, timedCode := peak(v.env, v.argv, report)
			if code != v.code || timedCode != v.code || kib <= 0 {
				v.bad++
				continue
			}
			ru := c.ProcessState.SysUsage().(*syscall.Rusage)
			v.wall = append(v.wall, wall)
			v.cpu = append(v.cpu, c.ProcessState.UserTime()+c.ProcessState.SystemTime())
			v.minflt = append(v.minflt, ru.Minflt)
			v.rss = append(v.rss, kib)
		}
	}
	fmt.Printf("| variant | wall median (ms) | wall vs first | user+sys median (ms) | CPU vs first | minor faults median | peak RSS median (MiB) | exit |\n|---|---|---|---|---|---|---|---|\n")
	if len(vs) == 0 || len(vs[0].cpu) == 0 {
		fmt.Fprintln(os.Stderr, "variants: the first variant never ran")
		os.Exit(1)
	}
	base := median(vs[0].cpu)
	failed := false
	for _, v := range vs {
		if v.bad > 0 || len(v.cpu) == 0 {
			fmt.Printf("| %s | did not run, or not as its warm-up did (%d runs) | | | | | | |\n", v.name, v.bad)
			failed = true
			continue
		}
		fmt.Printf("| %s | %.2f | %s | %.2f | %.2f | %d | %.1f | %d |\n", v.name, ms(median(v.wall)), pairwise(v.wall, vs[0].wall), ms(median(v.cpu)),
			float64(median(v.cpu))/float64(base), middle(v.minflt), float64(middle(v.rss))/1024, v.code)
	}
	if failed {
		os.RemoveAll(dir)
		os.Exit(1)
	}
}

// pairwise is the median of the turn-by-turn ratios of a's wall time to
// b's: a drift of the machine's speed during the run moves both halves of
// a pair, so it moves this ratio less than it moves the ratio of medians.
func pairwise(a, b []time.Duration) string {
	if len(a) != len(b) || len(a) == 0 {
		return ""
	}
	r := make([]float64, len(a))
	for i := range a {
		r[i] = float64(a[i]) / float64(b[i])
	}
	slices.Sort(r)
	return fmt.Sprintf("%.3f", r[len(r)/2])
}

func middle(n []int64) int64 {
	s := slices.Clone(n)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
