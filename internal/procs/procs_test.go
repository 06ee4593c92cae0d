package procs

import (
	"runtime"
	"testing"
)

func TestOneProcessor(t *testing.T) {
	was := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(was)
	for _, tc := range []struct {
		env         string
		start, want int
	}{
		{"", 4, 1},
		{"", 1, 1},
		{"3", 4, 4}, // the operator's GOMAXPROCS wins (the runtime has applied it)
		{"1", 2, 2},
	} {
		runtime.GOMAXPROCS(tc.start)
		OneProcessor(func(k string) (string, bool) {
			if k == "GOMAXPROCS" && tc.env != "" {
				return tc.env, true
			}
			return "", false
		})
		if got := runtime.GOMAXPROCS(0); got != tc.want {
			t.Errorf("GOMAXPROCS=%q from %d: got %d processors, want %d", tc.env, tc.start, got, tc.want)
		}
	}
}
