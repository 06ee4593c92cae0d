package main

import (
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, 100 on every Linux the bench runs on.
const clockTicks = 100

// stat returns the fields of /proc/PID/stat after the command name.
func stat(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}

// procCPU is a process's user+sys CPU seconds, with those of the children
// it has reaped (the engine's checks end up there).
func procCPU(pid int) float64 {
	f := stat(pid)
	if len(f) < 15 {
		return 0
	}
	var t float64
	for _, k := range []int{11, 12, 13, 14} { // utime stime cutime cstime
		v, _ := strconv.ParseFloat(f[k], 64)
		t += v
	}
	return t / clockTicks
}

// descendants lists pid's children, grandchildren and so on.
func descendants(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	kids := map[int][]int{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := stat(p); len(f) > 1 {
			pp, _ := strconv.Atoi(f[1])
			kids[pp] = append(kids[pp], p)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			out = append(out, k)
			queue = append(queue, k)
		}
	}
	return out
}

// treeCPU is the CPU seconds of pid and every descendant.
func treeCPU(pid int) float64 {
	t := procCPU(pid)
	for _, k := range descendants(pid) {
		t += procCPU(k)
	}
	return t
}

func status(pid int, key string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// treeRSS is the resident memory of pid and its descendants, KiB.
func treeRSS(pid int) int64 {
	t := status(pid, "VmRSS")
	for _, k := range descendants(pid) {
		t += status(k, "VmRSS")
	}
	return t
}

// vmHWM is the largest peak RSS of any process in the engine's tree, KiB.
func vmHWM(pid int) int64 {
	m := status(pid, "VmHWM")
	for _, k := range descendants(pid) {
		m = max(m, status(k, "VmHWM"))
	}
	return m
}
