// Package rawserver starts loopback TCP servers for tests of peers that
// misbehave below HTTP: a banner before the request, a stall, a broken
// answer. Tests of the client, of the command line and of the real
// binaries share it.
package rawserver

import (
	"net"
	"testing"
	"time"
)

// Start listens on a free loopback port until the test ends and hands
// each connection to handle on its own goroutine, closing it afterwards.
// A connection lives at most 5 s, so a handler that waits on a client
// that left cannot outlive the test by long. Start returns host:port.
func Start(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				handle(conn)
			}()
		}
	}()
	return ln.Addr().String()
}
