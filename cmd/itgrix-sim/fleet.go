package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"check-itgrix/internal/sim"
)

// fleetFlags are the flags that turn the simulator into a fleet.
type fleetFlags struct {
	n      int
	first  string
	period time.Duration
	list   bool
}

func addFleetFlags(app *kingpin.Application) *fleetFlags {
	f := &fleetFlags{}
	app.Flag("fleet", "Serve N virtual PBXs instead of one, each with its own password (derived from --password) and scenario; a few change scenario every --fleet-period. PBX i answers /pbx/<i>/status on --listen.").PlaceHolder("N").IntVar(&f.n)
	app.Flag("fleet-first", "With --fleet: PBX i also answers /status on the i-th address from this one (.0 and .255 skipped) at --listen's port; Linux answers every 127.x.y.z on loopback.").PlaceHolder("ADDR").StringVar(&f.first)
	app.Flag("fleet-period", "With --fleet: how long a changing PBX stays in each scenario.").Default("10m").DurationVar(&f.period)
	app.Flag("fleet-list", "With --fleet: print one tab-separated line per PBX (index, address or -, path, username, password, scenarios) and exit.").BoolVar(&f.list)
	return f
}

// runFleet lists or serves the fleet until ctx ends.
func runFleet(ctx context.Context, f *fleetFlags, c sim.Config, listen string, stdout io.Writer) int {
	if f.n < 1 || f.n > 1<<20 {
		fmt.Fprintf(stdout, "itgrix-sim: --fleet %d: want 1 to %d PBXs\n", f.n, 1<<20)
		return 2
	}
	cfg := sim.FleetConfig{N: f.n, Username: c.Username, Secret: c.Password, Period: f.period, Now: c.Now}
	if f.first != "" {
		a, err := netip.ParseAddr(f.first)
		if err != nil || !a.Is4() {
			fmt.Fprintf(stdout, "itgrix-sim: --fleet-first %q: want an IPv4 address\n", f.first)
			return 2
		}
		cfg.First = a
	}
	fleet := sim.NewFleet(cfg)
	members := fleet.Members()
	if f.list {
		for _, p := range members {
			addr := "-"
			if p.Addr.IsValid() {
				addr = p.Addr.String()
			}
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\t%s\t%s\n", p.Index, addr, p.Path, p.Username, p.Password, strings.Join(p.Scenarios, ","))
		}
		return 0
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(stdout, "itgrix-sim: %v\n", err)
		return 1
	}
	lns := []net.Listener{ln}
	if cfg.First.IsValid() {
		more, err := fleet.Listen(ln.Addr().(*net.TCPAddr).Port)
		if err != nil {
			ln.Close()
			fmt.Fprintf(stdout, "itgrix-sim: %v\n", err)
			return 1
		}
		lns = append(lns, more...)
	}
	fmt.Fprintf(stdout, "listening on http://%s/pbx/0/status\n", ln.Addr())
	if cfg.First.IsValid() {
		port := ln.Addr().(*net.TCPAddr).Port
		fmt.Fprintf(stdout, "fleet of %d PBXs at http://%s/status to http://%s/status\n", f.n,
			netip.AddrPortFrom(members[0].Addr, uint16(port)), netip.AddrPortFrom(members[len(members)-1].Addr, uint16(port)))
	} else {
		fmt.Fprintf(stdout, "fleet of %d PBXs at http://%s/pbx/0/status to /pbx/%d/status\n", f.n, ln.Addr(), f.n-1)
	}
	srv := &http.Server{Handler: fleet, ReadHeaderTimeout: 10 * time.Second}
	errs := make(chan error, len(lns))
	for _, l := range lns {
		go func() { errs <- srv.Serve(l) }()
	}
	select {
	case <-ctx.Done():
	case err := <-errs:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stdout, "itgrix-sim: %v\n", err)
			_ = srv.Close()
			return 1
		}
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	return 0
}
