// Command measure runs the plugin and its alternatives side by side against
// one Digest server and prints (and writes) a markdown report: the start-up
// table (an empty Go program, a Go program that only imports net/http and
// encoding/json, --version, the bare Go Digest GET and a check, with their
// ratios and targets), whole-process wall time, user+sys CPU and peak RSS
// over interleaved runs against curl and the vendor's recipe, a burst at
// fixed concurrency, and growth with body size.
//
// Wall time and CPU come from each process's own wait4 rusage, the process
// started straight from here. Peak RSS comes from the same command run again
// under /usr/bin/time in the same turn: a child of a Go program shares the
// parent's memory until it executes, and Linux carries that memory's peak
// into the child's figure, so a child of this program would report this
// program's peak. /usr/bin/time forks a copy of itself, about 1 MiB; the
// exec floor row shows that floor.
//
// Every run is checked: a subject that does not exit with the code it must
// (0 for a check that is OK, 3 for --version) or prints something else than
// it must stops the bench with exit 1, so a figure is never that of a
// subject that did not run. A missed target is printed; with -strict it
// also makes the exit code 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type sample struct {
	wall, cpu time.Duration
	rss       int64 // KiB
	code      int
}

type candidate struct {
	name, about string
	argv        []string
	env         []string
	// code and out are what a run must exit with and begin its output
	// with; anything else is a subject that did not run as meant.
	code    int
	out     string
	samples []sample
}

// scratch holds a run's output: a file, so the child writes to it
// directly and no copying goroutine of ours is in the figures.
var scratch *os.File

// timeBin is GNU time, which reports a child's peak RSS from a small parent.
const timeBin = "/usr/bin/time"

func run(c *candidate) sample {
	if _, err := scratch.Seek(0, io.SeekStart); err != nil {
		fail(err)
	}
	if err := scratch.Truncate(0); err != nil {
		fail(err)
	}
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, c.env...)
	cmd.Stdout, cmd.Stderr = scratch, scratch
	start := time.Now()
	err := cmd.Run()
	s := sample{wall: time.Since(start)}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fail(fmt.Errorf("%s did not run: %w", c.name, err))
	}
	s.code = cmd.ProcessState.ExitCode()
	s.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if s.wall <= 0 {
		fail(fmt.Errorf("%s: no wall time measured", c.name))
	}
	return s
}

// check stops the bench when a run was not the subject's normal run.
func check(c *candidate, s sample) {
	if s.code != c.code {
		fail(fmt.Errorf("%s exited %d, want %d; it printed:\n%s", c.name, s.code, c.code, printed()))
	}
	if out := printed(); !strings.HasPrefix(out, c.out) {
		fail(fmt.Errorf("%s printed %q, want it to begin with %q", c.name, out, c.out))
	}
}

func printed() string {
	b, err := os.ReadFile(scratch.Name())
	if err != nil {
		fail(err)
	}
	return string(b)
}

// peak runs c once under /usr/bin/time and returns its peak RSS in KiB.
func peak(c *candidate) int64 {
	report := scratch.Name() + ".rss"
	t := &candidate{name: c.name + " under " + timeBin, argv: append([]string{timeBin, "-f", "%M %x", "-o", report}, c.argv...), env: c.env}
	s := run(t)
	b, err := os.ReadFile(report)
	if err != nil {
		fail(fmt.Errorf("%s: %w", t.name, err))
	}
	f := strings.Fields(string(b))
	if len(f) < 2 || f[len(f)-1] != strconv.Itoa(c.code) || s.code != c.code {
		fail(fmt.Errorf("%s: exit %d, report %q, want exit %d", t.name, s.code, b, c.code))
	}
	kib, err := strconv.ParseInt(f[len(f)-2], 10, 64)
	if err != nil || kib <= 0 {
		fail(fmt.Errorf("%s: no peak RSS in %q", t.name, b))
	}
	return kib
}

// measure runs c once for its times and once for its peak, checking both.
func measure(c *candidate) sample {
	s := run(c)
	check(c, s)
	s.rss = peak(c)
	return s
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	cleanup()
	os.Exit(1)
}

func cleanup() {
	if scratch != nil {
		os.Remove(scratch.Name() + ".rss")
		os.Remove(scratch.Name())
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

type stats struct {
	wallMed, wallMin, wallMax, cpuMed time.Duration
	rssMed, rssMax                    int64
}

func summarise(ss []sample) stats {
	var walls, cpus []time.Duration
	var rss []int64
	for _, s := range ss {
		walls, cpus, rss = append(walls, s.wall), append(cpus, s.cpu), append(rss, s.rss)
	}
	slices.Sort(rss)
	return stats{median(walls), slices.Min(walls), slices.Max(walls), median(cpus), rss[len(rss)/2], rss[len(rss)-1]}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }
func mib(k int64) string        { return fmt.Sprintf("%.1f", float64(k)/1024) }

// burst runs n checks with conc at a time and returns checks/s and CPU
// seconds per check.
func burst(c *candidate, n, conc int) (float64, float64, int) {
	var next, cpuNs, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				// Output to /dev/null: the runs overlap, so they cannot
				// share the scratch file; the exit code is checked.
				cmd := exec.Command(c.argv[0], c.argv[1:]...)
				cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, c.env...)
				_ = cmd.Run()
				if cmd.ProcessState == nil {
					failed.Add(1)
					continue
				}
				cpuNs.Add(int64(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()))
				if cmd.ProcessState.ExitCode() != c.code {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	return float64(n) / el, float64(cpuNs.Load()) / 1e9 / float64(n), int(failed.Load())
}

// target is one start-up ratio and the most it may be.
type target struct {
	name  string
	value float64
	max   float64
	// turns is the median of the turn-by-turn ratios, for reading.
	turns string
}

// turnByTurn is the median of a's wall time over b's within each turn
// (interleave gives both one sample per turn).
func turnByTurn(a, b *candidate) string {
	if len(a.samples) != len(b.samples) || len(a.samples) == 0 {
		return ""
	}
	r := make([]float64, len(a.samples))
	for i := range r {
		r[i] = float64(a.samples[i].wall) / float64(b.samples[i].wall)
	}
	slices.Sort(r)
	return fmt.Sprintf("%.3f", r[len(r)/2])
}

func (t target) met() bool { return t.value > 0 && t.value <= t.max }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

// interleave runs every candidate once per turn, each turn in a new order
// (one that always ran right after the same other would always find the
// caches and the CPU's clock as that one left them), and keeps the samples.
// The seed is fixed so that a run can be repeated.
func interleave(cands []*candidate, turns int) {
	for _, c := range cands { // warm caches, and fail early
		measure(c)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	order := slices.Clone(cands)
	for i := 0; i < turns; i++ {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, c := range order {
			c.samples = append(c.samples, measure(c))
		}
	}
}

func table(b *strings.Builder, cands []*candidate) map[*candidate]stats {
	fmt.Fprintf(b, "| candidate | wall median (ms) | min | max | user+sys median (ms) | peak RSS median (MiB) | max |\n|---|---|---|---|---|---|---|\n")
	st := map[*candidate]stats{}
	for _, c := range cands {
		s := summarise(c.samples)
		st[c] = s
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", c.name, ms(s.wallMed), ms(s.wallMin), ms(s.wallMax), ms(s.cpuMed), mib(s.rssMed), mib(s.rssMax))
	}
	return st
}

func main() {
	url := flag.String("url", "", "status URL of the healthy document")
	user := flag.String("user", "admin", "login")
	passFile := flag.String("password-file", "", "password file")
	bin := flag.String("bin", "bin", "directory with the plugins")
	floor := flag.String("floor", "", "bare Go Digest GET program")
	empty := flag.String("empty", "", "empty Go program")
	imports := flag.String("imports", "", "Go program that only imports net/http and encoding/json")
	recipe := flag.String("recipe", "", "the vendor's curl|jq recipe as a shell plugin")
	runs := flag.Int("runs", 30, "interleaved runs per candidate")
	startRuns := flag.Int("start-runs", 200, "interleaved runs per start-up subject")
	n := flag.Int("burst", 2000, "checks in the burst")
	conc := flag.Int("concurrency", 16, "concurrency of the burst")
	sizes := flag.String("sizes", "", "label=url,... documents of growing size")
	out := flag.String("out", "", "markdown file to write")
	server := flag.String("server", "lighttpd", "what serves the documents")
	strict := flag.Bool("strict", false, "exit 1 when a start-up target is missed")
	flag.Parse()

	pwBytes, err := os.ReadFile(*passFile)
	if err != nil {
		fail(err)
	}
	if scratch, err = os.CreateTemp("", "bench-out-"); err != nil {
		fail(err)
	}
	defer cleanup()
	pw := strings.TrimSpace(string(pwBytes))
	plugin := *bin + "/check_itgrix_app"
	app := &candidate{name: "check_itgrix_app", about: "(a) the plugin",
		argv: []string{plugin, "--url", *url, "-u", *user, "--password-file", *passFile}, out: "OK: "}
	fl := &candidate{name: "floor: bare Go Digest GET", about: "net/http + icholy/digest + encoding/json, nothing else", argv: []string{*floor, *url, *user, pw}}

	// Start-up: what every check pays before it does its work.
	exe := &candidate{name: "exec floor: /bin/true", argv: []string{"/bin/true"}}
	emp := &candidate{name: "empty Go program", argv: []string{*empty}}
	imp := &candidate{name: "Go, imports net/http + encoding/json only", argv: []string{*imports}}
	ver := &candidate{name: "check_itgrix_app --version", argv: []string{plugin, "--version"}, code: 3, out: "check_itgrix_app "}
	// What linking the GET costs before main: the floor, started without
	// arguments, initialises what the floor links and exits.
	fls := &candidate{name: "floor, started without arguments", argv: []string{*floor}, code: 3, out: "usage: floor "}
	startCands := []*candidate{exe, emp, imp, fls, ver, fl, app}
	interleave(startCands, *startRuns)

	var b strings.Builder
	host, _ := os.Hostname()
	cpu := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(info), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	fmt.Fprintf(&b, "Run on %s: %d cores (%s), %s/%s, %s, against %s Digest (MD5, qop=auth) on loopback.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), cpu, runtime.GOOS, runtime.GOARCH, host, *server)
	fmt.Fprintf(&b, "Start-up, %d interleaved turns (wall and CPU from each process's rusage; peak RSS under %s, whose own floor is the exec row):\n\n", *startRuns, timeBin)
	ss := table(&b, startCands)
	ratio := func(x, y time.Duration) float64 { return float64(x) / float64(y) }
	targets := []target{
		{"--version / imports-only program (median wall)", ratio(ss[ver].wallMed, ss[imp].wallMed), 1.15, turnByTurn(ver, imp)},
		{"check / bare Go Digest GET (median wall)", ratio(ss[app].wallMed, ss[fl].wallMed), 1.10, turnByTurn(app, fl)},
		{"check / bare Go Digest GET (median peak RSS)", float64(ss[app].rssMed) / float64(ss[fl].rssMed), 1.25, ""},
	}
	fmt.Fprintf(&b, "\n| ratio | value | turn by turn | target | |\n|---|---|---|---|---|\n")
	missed := 0
	for _, t := range targets {
		fmt.Fprintf(&b, "| %s | %.3f | %s | ≤ %.2f | %s |\n", t.name, t.value, t.turns, t.max, verdict(t.met()))
		if !t.met() {
			missed++
		}
	}
	fmt.Fprintf(&b, "| for reference: imports-only / empty (median wall) | %.3f | %s | | |\n", ratio(ss[imp].wallMed, ss[emp].wallMed), turnByTurn(imp, emp))
	fmt.Fprintf(&b, "| for reference: floor started without arguments / imports-only (median wall) | %.3f | %s | | |\n", ratio(ss[fls].wallMed, ss[imp].wallMed), turnByTurn(fls, imp))
	fmt.Fprintf(&b, "| for reference: --version / floor started without arguments (median wall) | %.3f | %s | | |\n", ratio(ss[ver].wallMed, ss[fls].wallMed), turnByTurn(ver, fls))
	fmt.Fprintf(&b, "| for reference: --version / bare Go Digest GET (median wall) | %.3f | %s | | |\n", ratio(ss[ver].wallMed, ss[fl].wallMed), turnByTurn(ver, fl))
	fmt.Fprintf(&b, "\nThe verdict is on the ratio of the medians; \"turn by turn\" is the median of the ratios within each turn, which a drift of the machine's speed during the run moves less.\n")
	fmt.Fprint(os.Stdout, b.String())
	b.WriteString("\n")

	// The plugin against the other ways to do the same check.
	app1 := &candidate{name: "check_itgrix_app, GOMAXPROCS=1", about: "as the Icinga CheckCommands run it",
		argv: app.argv, env: []string{"GOMAXPROCS=1"}, out: app.out}
	app.samples, fl.samples = nil, nil
	cands := []*candidate{
		app,
		fl,
		{name: "curl --digest -o /dev/null", about: "(c) one process, the same two round trips", argv: []string{"curl", "-s", "--digest", "-u", *user + ":" + pw, "-o", "/dev/null", *url}},
		{name: "vendor recipe (bash+curl+jq)", about: "(b) the vendor's curl | jq as a shell plugin", argv: []string{"bash", *recipe, *url}, env: []string{"ITGRIX_USERNAME=" + *user, "ITGRIX_PASSWORD=" + pw}, out: "OK"},
		app1,
	}
	interleave(cands, *runs)
	fmt.Fprintf(&b, "Against the alternatives, %d interleaved turns:\n\n", *runs)
	st := table(&b, cands)
	a, cu, re := st[cands[0]], st[cands[2]], st[cands[3]]
	fmt.Fprintf(&b, "\n| ratio (median wall) | value | target | |\n|---|---|---|---|\n")
	fmt.Fprintf(&b, "| plugin / curl (a/c) | %.2f | ≤ 0.55 | %s |\n", ratio(a.wallMed, cu.wallMed), verdict(ratio(a.wallMed, cu.wallMed) <= 0.55))
	fmt.Fprintf(&b, "| plugin / vendor recipe (a/b) | %.3f | ≤ 0.06 | %s |\n", ratio(a.wallMed, re.wallMed), verdict(ratio(a.wallMed, re.wallMed) <= 0.06))
	a1 := st[app1]
	fmt.Fprintf(&b, "| plugin with GOMAXPROCS=1 / vendor recipe | %.3f | ≤ 0.06 | %s |\n", ratio(a1.wallMed, re.wallMed), verdict(ratio(a1.wallMed, re.wallMed) <= 0.06))
	fmt.Fprintf(&b, "| bare Go floor / vendor recipe (for reference) | %.3f | | |\n", ratio(st[fl].wallMed, re.wallMed))

	if *n > 0 {
		ps, pcpu, pf := burst(app, *n, *conc)
		ps1, pcpu1, pf1 := burst(app1, *n, *conc)
		rs, rcpu, rf := burst(cands[3], *n, *conc)
		fmt.Fprintf(&b, "\nBurst: %d checks at concurrency %d.\n\n| candidate | checks/s | CPU s per check | failed |\n|---|---|---|---|\n", *n, *conc)
		fmt.Fprintf(&b, "| check_itgrix_app | %.0f | %.4f | %d |\n| check_itgrix_app, GOMAXPROCS=1 | %.0f | %.4f | %d |\n| vendor recipe | %.0f | %.4f | %d |\n", ps, pcpu, pf, ps1, pcpu1, pf1, rs, rcpu, rf)
		fmt.Fprintf(&b, "\nPlugin / recipe checks per second: %.1f; with GOMAXPROCS=1: %.1f (target ≥ 12: %s / %s).\n", ps/rs, ps1/rs, verdict(ps/rs >= 12), verdict(ps1/rs >= 12))
		if pf+pf1+rf > 0 {
			fmt.Print(b.String())
			fail(fmt.Errorf("%d checks of the burst failed", pf+pf1+rf))
		}
	}

	if *sizes != "" {
		fmt.Fprintf(&b, "\nGrowth with body size (check_itgrix_app, %d runs each; the cap is 4 MiB).\n\n| body | wall median (ms) | user+sys median (ms) | peak RSS max (MiB) | exit |\n|---|---|---|---|---|\n", max(*runs/2, 1))
		for _, kv := range strings.Split(*sizes, ",") {
			label, u, _ := strings.Cut(kv, "=")
			c := &candidate{name: "check_itgrix_app on " + label, argv: []string{plugin, "--url", u, "-u", *user, "--password-file", *passFile}}
			// The first run says what this size must do (OK, or UNKNOWN
			// for a body over the cap); every run must do the same.
			first := run(c)
			c.code, c.out = first.code, strings.SplitN(printed(), " ", 2)[0]
			if c.code != 0 && c.code != 3 {
				fail(fmt.Errorf("%s exited %d: %s", c.name, c.code, printed()))
			}
			var ss []sample
			for i := 0; i < max(*runs/2, 1); i++ {
				ss = append(ss, measure(c))
			}
			s := summarise(ss)
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %d |\n", label, ms(s.wallMed), ms(s.cpuMed), mib(s.rssMax), c.code)
		}
	}
	all := b.String()
	fmt.Print(all[strings.Index(all, "Against the alternatives"):])
	if *out != "" {
		if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
			fail(err)
		}
	}
	fmt.Println()
	for _, t := range targets {
		fmt.Printf("startup_target %s: %.3f (≤ %.2f) %s\n", t.name, t.value, t.max, verdict(t.met()))
	}
	if missed > 0 && *strict {
		fail(fmt.Errorf("%d start-up target(s) missed", missed))
	}
}
