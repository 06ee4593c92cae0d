// Command peakrss runs a command and writes its peak resident memory and
// exit code to a file, for the end-to-end tests' memory limits.
//
// A process started by a large one (the test binary, more so under -race)
// is reported by the kernel with the large one's peak: Go starts children
// sharing its memory until they execute, and the memory's peak carries
// over into the child's. Started from this small program, a plugin's
// figure is its own.
//
// Usage: peakrss REPORT COMMAND [ARG...]; REPORT gets "KIB CODE", CODE -1
// when a signal ended the command. peakrss exits with the command's code.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: peakrss REPORT COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// The test's timeout kills this program; the command goes with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	_ = cmd.Wait()
	var kib int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		kib = ru.Maxrss
	}
	code := cmd.ProcessState.ExitCode()
	if err := os.WriteFile(os.Args[1], fmt.Appendf(nil, "%d %d\n", kib, code), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(max(code, 0))
}
