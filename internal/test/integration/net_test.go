package integration

import (
	"net"
	"strconv"
	"testing"
)

// TestFreePort: ports below the ephemeral range, bindable, never the same
// twice in a run (two daemons of one run must not race for one port).
func TestFreePort(t *testing.T) {
	lo, hi := freePortRange()
	if lo >= hi {
		t.Fatalf("empty range %d-%d", lo, hi)
	}
	seen := map[int]bool{}
	for i := 0; i < 50; i++ {
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if port < lo || port >= hi {
			t.Errorf("port %d outside %d-%d", port, lo, hi-1)
		}
		if seen[port] {
			t.Errorf("port %d handed out twice", port)
		}
		seen[port] = true
		l, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			t.Errorf("port %d not bindable: %v", port, err)
			continue
		}
		l.Close()
	}
}
