// Command itgrix-sim is a local stand-in for the Itgrix status endpoint: for
// demos, for trying thresholds and Nagios/Icinga configurations before
// touching a PBX, and for the tests.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, time.Now)
	stop()
	os.Exit(code)
}
