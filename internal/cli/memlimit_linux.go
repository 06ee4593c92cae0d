package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// addressSpaceNeeded is the address space a check may still reserve after
// the Go runtime has started. The heap grows in 64 MiB arenas; a 4 MiB
// document (the largest accepted) took the process up to one arena past
// its start when measured with `ulimit -v`. Two arenas leave a margin.
const addressSpaceNeeded = 128 << 20

// checkAddressSpace refuses to run a check under an address-space limit
// (ulimit -v, RLIMIT_AS) that leaves less than addressSpaceNeeded above
// what the process has reserved already. Without it, such a limit lets
// small documents through and kills the process on a large one with the Go
// runtime's "out of memory" trace and exit 2: Nagios would show CRITICAL
// with no text. The runtime itself reserves several hundred MiB at start;
// a limit below that ends the process before any of its code runs (see the
// README's decisions).
func checkAddressSpace() error {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err != nil || rl.Cur == ^uint64(0) {
		return nil
	}
	statm, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return nil
	}
	pages, err := strconv.ParseInt(strings.Fields(string(statm) + " x")[0], 10, 64)
	if err != nil {
		return nil
	}
	used := pages * int64(os.Getpagesize())
	if int64(rl.Cur)-used >= addressSpaceNeeded {
		return nil
	}
	// What the runtime has reserved by now varies from run to run by up
	// to a whole 64 MiB arena (725 or 789 MiB on one machine), so the
	// advice is rounded up to 64 MiB and given one arena more: a limit
	// set to it holds on the next run too.
	const arena = 64 << 20
	advice := (used+addressSpaceNeeded+arena-1)/arena*arena + arena
	return fmt.Errorf("the address-space limit (ulimit -v) of %d MiB leaves %d MiB above the %d MiB the Go runtime reserved; a check needs %d MiB: raise the limit to %d MiB or more",
		rl.Cur>>20, max(int64(rl.Cur)-used, 0)>>20, used>>20, addressSpaceNeeded>>20, advice>>20)
}
