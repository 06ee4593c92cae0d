// Package procs runs a plugin's goroutines on one processor unless the
// environment says otherwise (GOMAXPROCS). Import it for its effect, first
// in main's imports:
//
//	import _ "check-itgrix/internal/procs"
//
// A check is one request and its answer. With a processor per core,
// net/http's reader and writer goroutines run on a second thread and every
// hand-over wakes it; on one processor they take turns on one. The setting
// is made in this package's init, which Go runs before the libraries'
// (packages are initialised in import-path order once their own imports
// are, and this one imports only runtime and syscall): set from main, after
// every package has allocated on the processor it is given up, it cost more
// than it saved. See docs/performance.md.
package procs

import (
	"runtime"
	"syscall"
)

func init() { OneProcessor(syscall.Getenv) }

// OneProcessor sets GOMAXPROCS to 1 unless getenv has a GOMAXPROCS (which
// the runtime has applied already).
func OneProcessor(getenv func(string) (string, bool)) {
	if v, _ := getenv("GOMAXPROCS"); v == "" {
		runtime.GOMAXPROCS(1)
	}
}
