package cli

import "runtime"

// OneProcessor runs the plugin's goroutines on one processor unless the
// environment says otherwise (GOMAXPROCS). A check is one request and its
// answer: with a processor per core, net/http's reader and writer
// goroutines run on a second thread and every hand-over wakes it, which
// cost a check about a tenth of its wall time in side-by-side runs
// (docs/performance.md). The call comes first in main, before any
// goroutine is started.
func OneProcessor(getenv func(string) string) {
	if getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}
