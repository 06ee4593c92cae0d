package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// memLimit is one kernel limit on the process's memory that the Go runtime
// cannot live with when it is tight: the runtime crashes with an "out of
// memory" trace and exit 2 (Nagios: CRITICAL with no text) instead of
// returning an error the plugin could report.
type memLimit struct {
	name, flag string
	resource   int
	// statm is the field of /proc/self/statm that the limit applies to.
	statm int
	// needed is what a check may still take after the runtime has
	// started. The heap grows in 64 MiB arenas; a 4 MiB document (the
	// largest accepted) took the process up to one arena past its start
	// when measured with ulimit. Address space is reserved an arena
	// ahead of use, so it needs two.
	needed int64
}

var memLimits = [...]memLimit{
	{"address-space", "ulimit -v", syscall.RLIMIT_AS, 0, 128 << 20},
	{"data", "ulimit -d", syscall.RLIMIT_DATA, 5, 64 << 20},
}

// checkLimits refuses to run a check under a limit (ulimit -n, -v,
// -d) that leaves less than a check needs above what the process
// holds already, with one UNKNOWN line naming the limit to set. Without it
// such a limit lets small documents through and kills the process on a
// large one. The runtime itself needs a floor of its own to start; below
// it the process ends before any of its code runs (see docs/design.md's
// decisions).
func checkLimits() error {
	// First, with raw system calls: the first os.Open sets up Go's poller,
	// which needs descriptors of its own and dies with a runtime trace
	// when there are none.
	if err := checkFreeFDs(); err != nil {
		return err
	}
	// What the process holds is read only under a memory limit: without
	// one (nearly always) there is nothing to compare it with.
	var limits [len(memLimits)]syscall.Rlimit
	limited := false
	for i, l := range memLimits {
		if syscall.Getrlimit(l.resource, &limits[i]) == nil && limits[i].Cur != ^uint64(0) {
			limited = true
		}
	}
	if !limited {
		return nil
	}
	fields := strings.Fields(readStatm())
	for i, l := range memLimits {
		rl := limits[i]
		if rl.Cur == ^uint64(0) || l.statm >= len(fields) {
			continue
		}
		pages, err := strconv.ParseInt(fields[l.statm], 10, 64)
		if err != nil {
			continue
		}
		used := pages * int64(os.Getpagesize())
		if int64(rl.Cur)-used >= l.needed {
			continue
		}
		// What the runtime holds at start varies from run to run by up
		// to a whole 64 MiB arena (725 or 789 MiB of address space on
		// one machine), so the advice is rounded up to 64 MiB and given
		// one arena more: a limit set to it holds on the next run too.
		const arena = 64 << 20
		advice := (used+l.needed+arena-1)/arena*arena + arena
		return fmt.Errorf("the %s limit (%s) of %d MiB leaves %d MiB above the %d MiB the Go runtime holds; a check needs %d MiB: raise the limit to %d MiB or more",
			l.name, l.flag, rl.Cur>>20, max(int64(rl.Cur)-used, 0)>>20, used>>20, l.needed>>20, advice>>20)
	}
	return nil
}

// readStatm is /proc/self/statm, or "" when it cannot be read. Raw system
// calls into a buffer on the stack: an os.File would set up the poller
// (an epoll instance, an eventfd) for one read of one line.
func readStatm() string {
	fd, err := syscall.Open("/proc/self/statm", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return ""
	}
	defer syscall.Close(fd)
	var buf [256]byte
	n, err := syscall.Read(fd, buf[:])
	if err != nil || n <= 0 {
		return ""
	}
	return string(buf[:n])
}

// fdsNeeded is how many free file descriptors a check needs: Go's poller
// (epoll and eventfd), then a file being read or the connection, with a
// margin for a second connection (a Digest server that closes the first).
// Measured: three free were enough, two were not.
const fdsNeeded = 6

// checkFreeFDs refuses to run a check under an open-files limit (ulimit -n)
// that leaves fewer than fdsNeeded free. It counts with raw system calls
// (nothing that would set up the poller), by duplicating a descriptor the
// process holds (standard error, output or input), which costs no path
// lookup; /dev/null is opened only when all three are closed.
func checkFreeFDs() error {
	var fds [fdsNeeded]int
	n := 0
	defer func() {
		for _, fd := range fds[:n] {
			_ = syscall.Close(fd)
		}
	}()
	for n < fdsNeeded {
		var fd int
		var err error
		if n == 0 {
			fd, err = firstFD()
		} else {
			fd, err = dupFD(fds[0])
		}
		if err == syscall.EMFILE {
			var rl syscall.Rlimit
			_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
			return fmt.Errorf("the open-files limit (ulimit -n) of %d leaves %d descriptors free; a check needs %d: raise the limit to %d or more",
				rl.Cur, n, fdsNeeded, max(rl.Cur+uint64(fdsNeeded-n), 64))
		}
		if err != nil {
			return nil // nothing to count with: let the check try
		}
		fds[n] = fd
		n++
	}
	return nil
}

// firstFD is a new descriptor: a duplicate of standard error, output or
// input, or /dev/null opened when none of them is open.
func firstFD() (int, error) {
	for _, std := range [...]int{2, 1, 0} {
		fd, err := dupFD(std)
		if err != syscall.EBADF {
			return fd, err
		}
	}
	return syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
}

// dupFD duplicates fd onto the lowest free descriptor, closed on exec.
func dupFD(fd int) (int, error) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}
