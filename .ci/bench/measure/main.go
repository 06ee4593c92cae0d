// Command measure runs the plugin and its alternatives side by side against
// one Digest server and prints (and writes) a markdown report: whole-process
// wall time, user+sys CPU and peak RSS over interleaved runs, a burst at
// fixed concurrency, and growth with body size.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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
	samples     []sample
}

func run(c *candidate) sample {
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, c.env...)
	start := time.Now()
	_ = cmd.Run()
	s := sample{wall: time.Since(start), code: cmd.ProcessState.ExitCode()}
	s.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.rss = ru.Maxrss
	}
	return s
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
				s := run(c)
				cpuNs.Add(int64(s.cpu))
				if s.code != 0 {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	return float64(n) / el, float64(cpuNs.Load()) / 1e9 / float64(n), int(failed.Load())
}

func main() {
	url := flag.String("url", "", "status URL of the healthy document")
	user := flag.String("user", "admin", "login")
	passFile := flag.String("password-file", "", "password file")
	bin := flag.String("bin", "bin", "directory with the plugins")
	floor := flag.String("floor", "", "bare Go Digest GET program")
	recipe := flag.String("recipe", "", "the vendor's curl|jq recipe as a shell plugin")
	runs := flag.Int("runs", 30, "interleaved runs per candidate")
	n := flag.Int("burst", 2000, "checks in the burst")
	conc := flag.Int("concurrency", 16, "concurrency of the burst")
	sizes := flag.String("sizes", "", "label=url,... documents of growing size")
	out := flag.String("out", "", "markdown file to write")
	server := flag.String("server", "lighttpd", "what serves the documents")
	flag.Parse()

	pwBytes, err := os.ReadFile(*passFile)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	pw := strings.TrimSpace(string(pwBytes))
	app := &candidate{name: "check_itgrix_app", about: "(a) the plugin",
		argv: []string{*bin + "/check_itgrix_app", "--url", *url, "-u", *user, "--password-file", *passFile}}
	app1 := &candidate{name: "check_itgrix_app, GOMAXPROCS=1", about: "as the Icinga CheckCommands run it",
		argv: app.argv, env: []string{"GOMAXPROCS=1"}}
	cands := []*candidate{
		app,
		{name: "floor: bare Go Digest GET", about: "net/http + icholy/digest + encoding/json, nothing else", argv: []string{*floor, *url, *user, pw}},
		{name: "curl --digest -o /dev/null", about: "(c) one process, the same two round trips", argv: []string{"curl", "-s", "--digest", "-u", *user + ":" + pw, "-o", "/dev/null", *url}},
		{name: "vendor recipe (bash+curl+jq)", about: "(b) the vendor's curl | jq as a shell plugin", argv: []string{"bash", *recipe, *url}, env: []string{"ITGRIX_USERNAME=" + *user, "ITGRIX_PASSWORD=" + pw}},
		app1,
	}
	for _, c := range cands { // warm caches
		run(c)
	}
	for i := 0; i < *runs; i++ {
		for _, c := range cands {
			s := run(c)
			if s.code != 0 {
				fmt.Printf("%s exited %d\n", c.name, s.code)
				os.Exit(1)
			}
			c.samples = append(c.samples, s)
		}
	}
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
	fmt.Fprintf(&b, "Run on %s: %d cores (%s), %s/%s, %s, against %s Digest (MD5, qop=auth) on loopback; %d interleaved runs each.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), cpu, runtime.GOOS, runtime.GOARCH, host, *server, *runs)
	fmt.Fprintf(&b, "| candidate | wall median (ms) | min | max | user+sys median (ms) | peak RSS median (MiB) | max |\n|---|---|---|---|---|---|---|\n")
	st := map[string]stats{}
	for _, c := range cands {
		s := summarise(c.samples)
		st[c.name] = s
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", c.name, ms(s.wallMed), ms(s.wallMin), ms(s.wallMax), ms(s.cpuMed), mib(s.rssMed), mib(s.rssMax))
	}
	a, fl, cu, re := st[cands[0].name], st[cands[1].name], st[cands[2].name], st[cands[3].name]
	ratio := func(x, y time.Duration) float64 { return float64(x) / float64(y) }
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "missed"
	}
	fmt.Fprintf(&b, "\n| ratio (median wall) | value | target | |\n|---|---|---|---|\n")
	fmt.Fprintf(&b, "| plugin / bare Go floor | %.2f | ≤ 1.25 | %s |\n", ratio(a.wallMed, fl.wallMed), verdict(ratio(a.wallMed, fl.wallMed) <= 1.25))
	fmt.Fprintf(&b, "| plugin / curl (a/c) | %.2f | ≤ 0.55 | %s |\n", ratio(a.wallMed, cu.wallMed), verdict(ratio(a.wallMed, cu.wallMed) <= 0.55))
	fmt.Fprintf(&b, "| plugin / vendor recipe (a/b) | %.3f | ≤ 0.06 | %s |\n", ratio(a.wallMed, re.wallMed), verdict(ratio(a.wallMed, re.wallMed) <= 0.06))
	fmt.Fprintf(&b, "| plugin peak RSS | %s MiB | ≤ 8 MiB | %s |\n", mib(a.rssMax), verdict(float64(a.rssMax)/1024 <= 8))

	a1 := st[app1.name]
	fmt.Fprintf(&b, "| plugin with GOMAXPROCS=1 / vendor recipe | %.3f | ≤ 0.06 | %s |\n", ratio(a1.wallMed, re.wallMed), verdict(ratio(a1.wallMed, re.wallMed) <= 0.06))
	fmt.Fprintf(&b, "| bare Go floor / vendor recipe (for reference) | %.3f | | |\n", ratio(fl.wallMed, re.wallMed))

	ps, pcpu, pf := burst(app, *n, *conc)
	ps1, pcpu1, pf1 := burst(app1, *n, *conc)
	rs, rcpu, rf := burst(cands[3], *n, *conc)
	fmt.Fprintf(&b, "\nBurst: %d checks at concurrency %d.\n\n| candidate | checks/s | CPU s per check | failed |\n|---|---|---|---|\n", *n, *conc)
	fmt.Fprintf(&b, "| check_itgrix_app | %.0f | %.4f | %d |\n| check_itgrix_app, GOMAXPROCS=1 | %.0f | %.4f | %d |\n| vendor recipe | %.0f | %.4f | %d |\n", ps, pcpu, pf, ps1, pcpu1, pf1, rs, rcpu, rf)
	fmt.Fprintf(&b, "\nPlugin / recipe checks per second: %.1f; with GOMAXPROCS=1: %.1f (target ≥ 12: %s / %s).\n", ps/rs, ps1/rs, verdict(ps/rs >= 12), verdict(ps1/rs >= 12))

	if *sizes != "" {
		fmt.Fprintf(&b, "\nGrowth with body size (check_itgrix_app, %d runs each; the cap is 4 MiB).\n\n| body | wall median (ms) | user+sys median (ms) | peak RSS max (MiB) | exit |\n|---|---|---|---|---|\n", *runs/2)
		for _, kv := range strings.Split(*sizes, ",") {
			label, u, _ := strings.Cut(kv, "=")
			c := &candidate{argv: []string{*bin + "/check_itgrix_app", "--url", u, "-u", *user, "--password-file", *passFile}}
			var ss []sample
			for i := 0; i < *runs/2; i++ {
				ss = append(ss, run(c))
			}
			s := summarise(ss)
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %d |\n", label, ms(s.wallMed), ms(s.cpuMed), mib(s.rssMax), ss[0].code)
		}
	}
	fmt.Print(b.String())
	if *out != "" {
		if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
	}
}
