// Package procs runs a plugin's goroutines on one processor unless the
// environment's GOMAXPROCS says otherwise. Import it in main, and call
// Honour first thing there:
//
//	import "check-itgrix/internal/procs"
//
//	func main() { procs.Honour(os.Getenv); ... }
//
// A check is one request and its answer. With a processor per core,
// net/http's reader and writer goroutines run on a second thread and every
// hand-over wakes it; on one processor they take turns on one. The setting
// is made in this package's init, which Go runs before any library's but
// the runtime's: packages are initialised in import-path order once their
// own imports are, and this one imports only runtime. Going down to one
// processor means giving up the second one and what it holds; the earlier,
// the less that is (set after syscall's and the libraries' initialisation,
// it cost 39 more page faults and 1.5 % of --version's time; set from main,
// more than it saved). The environment cannot be read from here without
// importing syscall, which would put this init after those, so an
// operator's GOMAXPROCS is given back by Honour. See docs/performance.md.
package procs

import "runtime"

func init() { runtime.GOMAXPROCS(1) }

// Honour gives back the processors the environment's GOMAXPROCS asks for,
// read as the runtime reads it (a decimal number above zero; anything else
// is ignored). GOMAXPROCS=1, as the Icinga 2 CheckCommands set it, costs
// nothing: the runtime never started a second processor.
func Honour(getenv func(string) string) {
	if n := atoi(getenv("GOMAXPROCS")); n > 1 {
		runtime.GOMAXPROCS(n)
	}
}

// atoi is s as a decimal number, or 0 when s is not one.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' || n > 1<<20 {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}
