package procs

import (
	"flag"
	"runtime"
	"testing"
)

// TestOneProcessor: this package's init left the test binary on one
// processor, as it leaves the plugins.
func TestOneProcessor(t *testing.T) {
	if f := flag.Lookup("test.cpu"); f != nil && f.Value.String() != "" {
		t.Skip("go test -cpu sets the processors itself")
	}
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("after init: %d processors, want 1", got)
	}
}

func TestHonour(t *testing.T) {
	was := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(was)
	for _, tc := range []struct {
		env  string
		want int
	}{
		{"", 1},
		{"1", 1},
		{"3", 3}, // the operator's GOMAXPROCS wins
		{"12", 12},
		{"0", 1}, // as the runtime: not above zero, ignored
		{"-2", 1},
		{"2x", 1},
		{" 2", 1},
		{"99999999999", 1},
	} {
		runtime.GOMAXPROCS(1)
		Honour(func(k string) string {
			if k == "GOMAXPROCS" {
				return tc.env
			}
			return ""
		})
		if got := runtime.GOMAXPROCS(0); got != tc.want {
			t.Errorf("GOMAXPROCS=%q: %d processors, want %d", tc.env, got, tc.want)
		}
	}
}
