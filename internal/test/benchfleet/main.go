// Command fleet is make bench-fleet's driver: Icinga 2, pinned to one core,
// schedules a check for each of N PBXs served by one itgrix-sim --fleet,
// at a fixed interval, for a ladder of N; once with the plugin (through the
// shipped CheckCommand) and once with the vendor's curl|jq recipe. At each
// rung it reads sustained checks/s (answers the fleet served), the
// engine's own latency and execution-time figures (its /v1/status/CIB),
// CPU per check of the engine's whole process tree, and its peak memory.
// It writes a markdown report and a data file for gnuplot, and ends with
// fleet_ratio= and fleet_per_core= lines.
//
// Every daemon it starts is stopped by PID; everything listens on loopback.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"check-itgrix/internal/test/integration"
)

type options struct {
	sim, bin, recipe, contrib, work, out, data string
	interval, window                           time.Duration
	ladders                                    map[string][]int
	refine                                     int
	engineCPU, simCPU                          string
	runAs                                      string
	first, listen                              string
	engines                                    []string
	naemon                                     string
}

// command is one way of checking a PBX.
type command struct {
	name   string
	icinga string // the CheckCommand object name
}

var commands = []command{
	{"plugin", "itgrix-app"},    // check_itgrix_app through the shipped CheckCommand (GOMAXPROCS=1)
	{"recipe", "itgrix-recipe"}, // the vendor's recipe: bash + curl --digest + jq (.ci/bench/recipe.sh)
	{"floor", "bench-true"},     // /bin/true: what the engine alone costs per check
}

// rung is what one fleet size measured.
type rung struct {
	engine, cmd             string
	n                       int
	want, rate              float64 // scheduled and sustained checks/s
	cpuPerCheck             float64 // engine tree CPU s per check
	simCPU                  float64 // simulator CPU s per s
	avgLat, maxLat, avgExec float64 // the engine's own figures, s
	maxExec                 float64
	peakRSS, hwm            int64 // KiB: engine tree, engine main process
	ok                      bool
	states                  [4]int
	pending                 int
}

func main() {
	var o options
	var plugin, recipe, floor string
	flag.StringVar(&o.sim, "sim", "bin/itgrix-sim", "itgrix-sim")
	flag.StringVar(&o.bin, "bin", "bin", "directory with the plugins")
	flag.StringVar(&o.recipe, "recipe", ".ci/bench/recipe.sh", "the vendor's recipe")
	flag.StringVar(&o.contrib, "contrib", "contrib/icinga2/itgrix-commands.conf", "the shipped CheckCommands")
	flag.StringVar(&o.work, "work", "", "private directory for the engine")
	flag.StringVar(&o.out, "out", "", "markdown report to write")
	flag.StringVar(&o.data, "data", "", "gnuplot data file to write")
	flag.DurationVar(&o.interval, "interval", 10*time.Second, "check interval (stands for 60 s)")
	flag.DurationVar(&o.window, "window", 20*time.Second, "measuring window per rung, after the first round")
	flag.StringVar(&plugin, "plugin-ladder", "250,500,1000,2000,4000", "fleet sizes for the plugin")
	flag.StringVar(&recipe, "recipe-ladder", "125,250,500,1000", "fleet sizes for the recipe")
	flag.StringVar(&floor, "floor-ladder", "", "fleet sizes for /bin/true (empty: skip)")
	flag.IntVar(&o.refine, "refine", 2, "halvings between the last size sustained and the first not")
	flag.StringVar(&o.engineCPU, "engine-cpu", "1", "CPU the engine (and its checks) is pinned to")
	flag.StringVar(&o.simCPU, "sim-cpu", "0", "CPU the simulator is pinned to")
	flag.StringVar(&o.runAs, "user", "", "user the engine drops to (when run as root)")
	flag.StringVar(&o.first, "first", "127.17.1.1", "address of the first PBX")
	flag.StringVar(&o.listen, "listen", "127.17.0.1:8077", "the simulator's own address")
	engines := flag.String("engines", "icinga2", "engines to run the ladders in: icinga2, naemon")
	flag.StringVar(&o.naemon, "naemon", "", "the naemon binary (for -engines naemon; default: build the vendored source as make integration does)")
	flag.Parse()
	o.engines = strings.Split(*engines, ",")
	o.ladders = map[string][]int{"plugin": ints(plugin), "recipe": ints(recipe), "floor": ints(floor)}
	if runtime.NumCPU() < 2 { // nothing to pin apart
		o.engineCPU, o.simCPU = "0", "0"
	}
	b := &bench{o: o}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() { <-sig; b.stopAll(); os.Exit(1) }()
	code := b.run()
	b.stopAll()
	os.Exit(code)
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

type bench struct {
	o options
	// daemons are the engines running, sim the simulator: each stopped
	// by its PID.
	daemons []*integration.Daemon
	sim     *exec.Cmd
	simDone chan struct{}
	members [][]string
}

func (b *bench) fail(format string, a ...any) int {
	fmt.Printf("bench-fleet: "+format+"\n", a...)
	return 1
}

func (b *bench) run() int {
	o := b.o
	maxN := 0
	for _, l := range o.ladders {
		for _, n := range l {
			maxN = max(maxN, n)
		}
	}
	// Refinement never goes past the largest rung.
	list, err := exec.Command(o.sim, "--fleet", strconv.Itoa(maxN), "--fleet-first", o.first, "--password", "bench-fleet", "--fleet-list").Output()
	if err != nil {
		return b.fail("itgrix-sim --fleet-list: %v", err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		b.members = append(b.members, strings.Split(l, "\t"))
	}
	sim := exec.Command("taskset", "-c", o.simCPU, o.sim, "--fleet", strconv.Itoa(maxN), "--fleet-first", o.first,
		"--listen", o.listen, "--password", "bench-fleet", "--fleet-period", "1m")
	simOut, _ := sim.StdoutPipe()
	sim.Stderr = os.Stderr
	if err := sim.Start(); err != nil {
		return b.fail("itgrix-sim: %v", err)
	}
	b.sim, b.simDone = sim, make(chan struct{})
	line, _ := bufio.NewReader(simOut).ReadString('\n')
	if !strings.HasPrefix(line, "listening on ") {
		return b.fail("itgrix-sim did not start: %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, simOut); _ = sim.Wait(); close(b.simDone) }()
	var rungs []rung
	best := map[string]int{} // by "engine/command"
	for _, name := range o.engines {
		var e engine
		switch name {
		case "icinga2":
			ic := &icinga{}
			if err := ic.certs(); err != nil {
				return b.fail("certificates: %v", err)
			}
			e = ic
		case "naemon":
			if o.naemon == "" {
				// The harness's build: the vendored source, built once into
				// the cache make integration shares.
				bin, err := integration.BuildNaemon(context.Background(), ".", o.work, func(f string, a ...any) { fmt.Printf(f+"\n", a...) })
				if err != nil {
					return b.fail("naemon: %v", err)
				}
				o.naemon = bin
			}
			e = &naemon{bin: o.naemon}
		default:
			return b.fail("unknown engine %q", name)
		}
		for _, c := range commands {
			ladder := o.ladders[c.name]
			if len(ladder) == 0 {
				continue
			}
			pass, failN := 0, 0
			var broken error // a rung that could not measure: the bench is broken
			try := func(n int) bool {
				r, err := b.rung(e, c, n, sim.Process.Pid)
				if err != nil {
					broken = fmt.Errorf("%s %s N=%d: %v", name, c.name, n, err)
					return false
				}
				rungs = append(rungs, r)
				fmt.Printf("%-7s %-6s N=%-5d %7.1f/%-7.1f checks/s  cpu/check %6.2f ms  latency avg %.3f s max %.3f s  exec avg %.3f s  peak %6.1f MiB  sim %.1f%% core  %s\n",
					name, c.name, n, r.rate, r.want, r.cpuPerCheck*1000, r.avgLat, r.maxLat, r.avgExec, float64(r.peakRSS)/1024, r.simCPU*100, verdict(r.ok))
				return r.ok
			}
			for _, n := range ladder {
				if try(n) {
					pass = n
					continue
				}
				failN = n
				break
			}
			for k := 0; broken == nil && k < o.refine && failN > 0 && failN-pass > max(pass/8, 10); k++ {
				mid := (pass + failN) / 2
				if try(mid) {
					pass = mid
				} else {
					failN = mid
				}
			}
			if broken != nil {
				return b.fail("%v", broken)
			}
			best[name+"/"+c.name] = pass
		}
	}
	b.report(rungs, best)
	// The headline figures are the first engine's (Icinga 2's).
	first := o.engines[0]
	scale := 60 / o.interval.Seconds()
	perCore := int(float64(best[first+"/plugin"]) * scale)
	if best[first+"/plugin"] == 0 || best[first+"/recipe"] == 0 {
		return b.fail("%s sustained not even the first rung of the plugin's or the recipe's ladder (figures above): no fleet_ratio", first)
	}
	ratio := float64(best[first+"/plugin"]) / float64(best[first+"/recipe"])
	fmt.Printf("fleet_ratio=%.1f\n", ratio)
	fmt.Printf("fleet_per_core=%d\n", perCore)
	return 0
}

func verdict(ok bool) string {
	if ok {
		return "sustained"
	}
	return "NOT sustained"
}

// rung runs the engine with n PBXs checked by c and measures it.
func (b *bench) rung(e engine, c command, n, simPID int) (rung, error) {
	o := b.o
	r := rung{engine: e.name(), cmd: c.name, n: n, want: float64(n) / o.interval.Seconds()}
	dir := filepath.Join(o.work, fmt.Sprintf("%s-%s-%d", e.name(), c.name, n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return r, err
	}
	argv, env, err := e.setup(b, dir, c, n)
	if err != nil {
		return r, err
	}
	if o.runAs != "" {
		if out, err := exec.Command("chown", "-R", o.runAs+":"+o.runAs, dir).CombinedOutput(); err != nil {
			return r, fmt.Errorf("chown: %v %s", err, out)
		}
	}
	var cred *syscall.Credential
	if o.runAs != "" && !e.dropsRoot() {
		u, err := user.Lookup(o.runAs)
		if err != nil {
			return r, err
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	d, err := integration.StartDaemonAs(cred, e.name(), dir+"/daemon.out", append(os.Environ(), env...),
		append([]string{"taskset", "-c", o.engineCPU}, argv...)...)
	if err != nil {
		return r, err
	}
	b.daemons = append(b.daemons, d)
	defer b.stop(d)
	pid := d.Pid()

	// The engine's figures answer once the configuration is loaded.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := e.figures(); err == nil {
			break
		}
		if err := d.Exited(); err != nil {
			return r, fmt.Errorf("%w; see %s", err, e.log(dir))
		}
		time.Sleep(200 * time.Millisecond)
		if time.Now().After(deadline) {
			return r, fmt.Errorf("%s did not come up; see %s and %s/daemon.out", e.name(), e.log(dir), dir)
		}
	}
	// Let the first round spread over one interval, then measure.
	start, err := simAnswers(o.listen)
	if err != nil {
		return r, err
	}
	deadline = time.Now().Add(3 * o.interval)
	for time.Now().Before(deadline) {
		if a, _ := simAnswers(o.listen); a-start >= int64(n) || c.name == "floor" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if c.name == "floor" {
		time.Sleep(o.interval)
	}
	t0 := time.Now()
	a0, _ := simAnswers(o.listen)
	cpu0 := treeCPU(pid)
	s0 := procCPU(simPID)
	for time.Since(t0) < o.window {
		r.peakRSS = max(r.peakRSS, treeRSS(pid))
		time.Sleep(250 * time.Millisecond)
	}
	el := time.Since(t0).Seconds()
	a1, _ := simAnswers(o.listen)
	cpu1 := treeCPU(pid)
	s1 := procCPU(simPID)
	// Let the engine's figures catch up with the window's last checks.
	time.Sleep(e.settle())
	f, err := e.figures()
	if err != nil {
		return r, err
	}
	checks := float64(a1 - a0)
	if c.name != "floor" && a1 == start {
		// Not one check reached the simulator: the engine cannot run the
		// command (plugin missing, unreadable config, ...), which is no
		// measurement of speed.
		return r, fmt.Errorf("%s ran no check; see %s and %s/daemon.out", e.name(), e.log(dir), dir)
	}
	if c.name == "floor" {
		// /bin/true asks no PBX: take the schedule as kept when the
		// engine's latency says so.
		checks = r.want * el
	}
	r.rate = checks / el
	if checks > 0 {
		r.cpuPerCheck = (cpu1 - cpu0) / checks
	}
	r.simCPU = (s1 - s0) / el
	r.avgLat, r.maxLat, r.avgExec, r.maxExec = f.avgLat, f.maxLat, f.avgExec, f.maxExec
	r.states, r.pending = f.states, f.pending
	r.hwm = vmHWM(pid)
	r.ok = r.rate >= 0.95*r.want && r.avgLat < 1 && r.pending == 0
	return r, nil
}

func simAnswers(listen string) (int64, error) {
	res, err := http.Get("http://" + listen + "/fleet/stats")
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var s struct{ Answers int64 }
	err = json.NewDecoder(res.Body).Decode(&s)
	return s.Answers, err
}

// stop ends the engine by its PID (TERM, then KILL for its process group:
// checks in flight) and forgets it.
func (b *bench) stop(d *integration.Daemon) {
	d.Stop()
	for i, x := range b.daemons {
		if x == d {
			b.daemons = append(b.daemons[:i], b.daemons[i+1:]...)
			break
		}
	}
}

// stopAll ends every engine still running and the simulator, and waits
// for each: the next step of a CI run must not find them holding ports.
func (b *bench) stopAll() {
	for _, d := range b.daemons {
		d.Stop()
	}
	b.daemons = nil
	if b.sim != nil {
		_ = b.sim.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.simDone:
		case <-time.After(10 * time.Second):
			_ = b.sim.Process.Kill()
			<-b.simDone
		}
		b.sim = nil
	}
}
