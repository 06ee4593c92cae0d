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
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	sim, bin, recipe, contrib, work, out, data string
	interval, window                           time.Duration
	ladders                                    map[string][]int
	refine                                     int
	engineCPU, simCPU                          string
	runAs                                      string
	first, listen                              string
}

// command is one way of checking a PBX.
type command struct {
	name, about, icinga string // icinga: the CheckCommand object name
}

var commands = []command{
	{"plugin", "check_itgrix_app through the shipped itgrix-app CheckCommand (GOMAXPROCS=1)", "itgrix-app"},
	{"recipe", "the vendor's recipe: bash + curl --digest + jq (.ci/bench/recipe.sh)", "itgrix-recipe"},
	{"floor", "/bin/true: what the engine alone costs per check", "bench-true"},
}

// rung is what one fleet size measured.
type rung struct {
	cmd                     string
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
	flag.Parse()
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
	o       options
	pids    []int // daemons we started, stopped by PID
	members [][]string
	apiPort int
	apiPass string
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
	b.pids = append(b.pids, sim.Process.Pid)
	line, _ := bufio.NewReader(simOut).ReadString('\n')
	if !strings.HasPrefix(line, "listening on ") {
		return b.fail("itgrix-sim did not start: %q", line)
	}
	go io.Copy(io.Discard, simOut)
	if err := b.certs(); err != nil {
		return b.fail("certificates: %v", err)
	}

	var rungs []rung
	best := map[string]int{}
	for _, c := range commands {
		ladder := o.ladders[c.name]
		if len(ladder) == 0 {
			continue
		}
		pass, failN := 0, 0
		try := func(n int) bool {
			r, err := b.rung(c, n, sim.Process.Pid)
			if err != nil {
				fmt.Printf("bench-fleet: %s N=%d: %v\n", c.name, n, err)
				r = rung{cmd: c.name, n: n}
			}
			rungs = append(rungs, r)
			fmt.Printf("%-6s N=%-5d %7.1f/%-7.1f checks/s  cpu/check %6.2f ms  latency avg %.3f s max %.3f s  exec avg %.3f s  peak %6.1f MiB  sim %.1f%% core  %s\n",
				c.name, n, r.rate, r.want, r.cpuPerCheck*1000, r.avgLat, r.maxLat, r.avgExec, float64(r.peakRSS)/1024, r.simCPU*100, verdict(r.ok))
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
		for k := 0; k < o.refine && failN > 0 && failN-pass > max(pass/8, 10); k++ {
			mid := (pass + failN) / 2
			if try(mid) {
				pass = mid
			} else {
				failN = mid
			}
		}
		best[c.name] = pass
	}
	b.report(rungs, best)
	scale := 60 / o.interval.Seconds()
	perCore := int(float64(best["plugin"]) * scale)
	ratio := 0.0
	if best["recipe"] > 0 {
		ratio = float64(best["plugin"]) / float64(best["recipe"])
	}
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

// certs makes the CA and node certificate the engine's API needs, per run.
func (b *bench) certs() error {
	d := filepath.Join(b.o.work, "pki")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	for _, args := range [][]string{
		{"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=bench CA", "-keyout", d + "/ca.key", "-out", d + "/ca.crt"},
		{"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=bench.poller", "-keyout", d + "/bench.poller.key", "-out", d + "/node.csr"},
		{"x509", "-req", "-in", d + "/node.csr", "-CA", d + "/ca.crt", "-CAkey", d + "/ca.key", "-CAcreateserial", "-days", "2", "-out", d + "/bench.poller.crt"},
	} {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("openssl %s: %v: %s", args[0], err, out)
		}
	}
	b.apiPass = fmt.Sprintf("api-%d", time.Now().UnixNano())
	return nil
}

// config writes an Icinga 2 configuration for the first n PBXs checked with c.
func (b *bench) config(dir string, c command, n int) error {
	o := b.o
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	var s strings.Builder
	fmt.Fprintf(&s, `const PluginDir = %q
const NodeName = "bench.poller"
const ZoneName = "master"
include <itl>
include <plugins>
include %q
object FileLogger "main" { path = %q; severity = "warning" }
object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }
object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = %d }
object ApiUser "bench" { password = %q; permissions = [ "*" ] }
object CheckerComponent "checker" { }
object CheckCommand "itgrix-recipe" {
  command = [ "/bin/bash", %q, "http://$address$:8077/status" ]
  env = { ITGRIX_USERNAME = "$itgrix_username$", ITGRIX_PASSWORD = "$itgrix_password$" }
}
object CheckCommand "bench-true" { command = [ "/bin/true" ] }
apply Service "itgrix-app" {
  check_command = %q
  check_interval = %ds
  retry_interval = %ds
  max_check_attempts = 1
  assign where host.vars.itgrix
}
`, abs(o.bin), abs(o.contrib), dir+"/log/icinga2.log", b.apiPort, b.apiPass, abs(o.recipe), c.icinga,
		int(o.interval.Seconds()), int(o.interval.Seconds()))
	for _, m := range b.members[:n] {
		fmt.Fprintf(&s, "object Host \"pbx-%s\" { check_command = \"dummy\"; enable_active_checks = false; address = %q; vars.itgrix = true; vars.itgrix_username = %q; vars.itgrix_password = %q }\n",
			m[0], m[1], m[3], m[4])
	}
	return os.WriteFile(dir+"/icinga2.conf", []byte(s.String()), 0o644)
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// rung runs the engine with n PBXs checked by c and measures it.
func (b *bench) rung(c command, n, simPID int) (rung, error) {
	o := b.o
	r := rung{cmd: c.name, n: n, want: float64(n) / o.interval.Seconds()}
	dir := filepath.Join(o.work, fmt.Sprintf("%s-%d", c.name, n))
	for _, d := range []string{"lib/certs", "log", "run", "cache", "spool"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return r, err
		}
	}
	for _, f := range []string{"ca.crt", "bench.poller.crt", "bench.poller.key"} {
		data, err := os.ReadFile(filepath.Join(o.work, "pki", f))
		if err != nil {
			return r, err
		}
		if err := os.WriteFile(filepath.Join(dir, "lib/certs", f), data, 0o600); err != nil {
			return r, err
		}
	}
	b.apiPort = freePort()
	if err := b.config(dir, c, n); err != nil {
		return r, err
	}
	args := []string{"-c", o.engineCPU, "icinga2", "daemon", "-c", dir + "/icinga2.conf",
		"-DDataDir=" + dir + "/lib", "-DLogDir=" + dir + "/log", "-DCacheDir=" + dir + "/cache",
		"-DSpoolDir=" + dir + "/spool", "-DInitRunDir=" + dir + "/run"}
	if o.runAs != "" {
		if out, err := exec.Command("chown", "-R", o.runAs+":"+o.runAs, dir).CombinedOutput(); err != nil {
			return r, fmt.Errorf("chown: %v %s", err, out)
		}
		args = append(args, "-DRunAsUser="+o.runAs, "-DRunAsGroup="+o.runAs)
	}
	cmd := exec.Command("taskset", args...)
	logf, _ := os.Create(dir + "/daemon.out")
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return r, err
	}
	pid := cmd.Process.Pid
	b.pids = append(b.pids, pid)
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer b.stop(pid, exited)

	// The API answers once the configuration is loaded.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := b.cib(); err == nil {
			break
		}
		select {
		case <-exited:
			return r, fmt.Errorf("icinga2 exited; see %s/daemon.out", dir)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return r, fmt.Errorf("icinga2 API did not come up")
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
	cib, err := b.cib()
	if err != nil {
		return r, err
	}
	checks := float64(a1 - a0)
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
	r.avgLat, r.maxLat = num(cib, "avg_latency"), num(cib, "max_latency")
	r.avgExec, r.maxExec = num(cib, "avg_execution_time"), num(cib, "max_execution_time")
	r.states = [4]int{int(num(cib, "num_services_ok")), int(num(cib, "num_services_warning")), int(num(cib, "num_services_critical")), int(num(cib, "num_services_unknown"))}
	r.pending = int(num(cib, "num_services_pending"))
	r.hwm = vmHWM(pid)
	r.ok = r.rate >= 0.95*r.want && r.avgLat < 1 && r.pending == 0
	return r, nil
}

func num(m map[string]any, k string) float64 {
	f, _ := m[k].(float64)
	return f
}

var api = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}

// cib reads the engine's own statistics.
func (b *bench) cib() (map[string]any, error) {
	req, _ := http.NewRequest("GET", fmt.Sprintf("https://127.0.0.1:%d/v1/status/CIB", b.apiPort), nil)
	req.SetBasicAuth("bench", b.apiPass)
	req.Header.Set("Accept", "application/json")
	res, err := api.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var doc struct {
		Results []struct {
			Status map[string]any `json:"status"`
		} `json:"results"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || len(doc.Results) == 0 {
		return nil, fmt.Errorf("CIB: HTTP %d %v", res.StatusCode, err)
	}
	return doc.Results[0].Status, nil
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

// stop ends the engine by its PID: TERM, then KILL after 10 s, and then
// any of its descendants still alive (checks in flight).
func (b *bench) stop(pid int, exited chan struct{}) {
	kids := descendants(pid)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(pid, syscall.SIGKILL)
		<-exited
	}
	for _, k := range kids {
		_ = syscall.Kill(k, syscall.SIGKILL)
	}
	for i, p := range b.pids {
		if p == pid {
			b.pids = append(b.pids[:i], b.pids[i+1:]...)
			break
		}
	}
}

func (b *bench) stopAll() {
	for _, p := range b.pids {
		for _, k := range descendants(p) {
			_ = syscall.Kill(k, syscall.SIGTERM)
		}
		_ = syscall.Kill(p, syscall.SIGTERM)
	}
	b.pids = nil
}
