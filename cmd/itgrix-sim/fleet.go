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
	n         int
	first     string
	period    time.Duration
	list      bool
	ini       bool
	scenarios string
}

func addFleetFlags(app *kingpin.Application) *fleetFlags {
	f := &fleetFlags{}
	app.Flag("fleet", "Serve N virtual PBXs instead of one, each with its own password (derived from --password) and scenario; a few change scenario every --fleet-period. PBX i answers /pbx/<i>/status on --listen.").PlaceHolder("N").IntVar(&f.n)
	app.Flag("fleet-first", "With --fleet: PBX i also answers /status on the i-th address from this one (.0 and .255 skipped) at --listen's port; Linux answers every 127.x.y.z on loopback.").PlaceHolder("ADDR").StringVar(&f.first)
	app.Flag("fleet-period", "With --fleet: how long a changing PBX stays in each scenario.").Default("10m").DurationVar(&f.period)
	app.Flag("fleet-list", "With --fleet: print one tab-separated line per PBX (index, address or -, path, username, password, scenarios) and exit.").BoolVar(&f.list)
	app.Flag("fleet-ini", "With --fleet: print an --extra-opts ini file with a section per PBX (pbx0, pbx1, ...: url, username, password) and exit.").BoolVar(&f.ini)
	app.Flag("fleet-scenarios", "With --fleet: the scenarios to serve, PBX i the i-th of the comma-separated LIST (round robin, fixed), instead of the built-in mix.").PlaceHolder("LIST").StringVar(&f.scenarios)
	return f
}

// iniURL is where a fleet PBX answers, as an ini's url: its own address at
// --listen's port, or its path on --listen. A wildcard --listen (":8077",
// "0.0.0.0:8077", "[::]:8077") answers on loopback too, and loopback is
// what a check on this host can reach: an empty or wildcard host in the
// url could not be reached.
func iniURL(p sim.PBX, listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil || port == "0" {
		return "", fmt.Errorf("--fleet-ini: --listen %q: want a fixed ADDR:PORT the PBXs answer on", listen)
	}
	if p.Addr.IsValid() {
		return "http://" + net.JoinHostPort(p.Addr.String(), port) + "/status", nil
	}
	switch a, err := netip.ParseAddr(host); {
	case host == "", err == nil && a.Unmap() == netip.IPv4Unspecified():
		host = "127.0.0.1"
	case err == nil && a == netip.IPv6Unspecified():
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + p.Path, nil
}

// runFleet lists or serves the fleet until ctx ends.
func runFleet(ctx context.Context, f *fleetFlags, c sim.Config, listen string, stdout io.Writer) int {
	if f.n < 1 || f.n > 1<<20 {
		fmt.Fprintf(stdout, "itgrix-sim: --fleet %d: want 1 to %d PBXs\n", f.n, 1<<20)
		return 2
	}
	cfg := sim.FleetConfig{N: f.n, Username: c.Username, Secret: c.Password, Period: f.period, Now: c.Now}
	if f.scenarios != "" && f.scenarios != "mix" {
		cfg.Scenarios = strings.Split(f.scenarios, ",")
		if err := cfg.Check(); err != nil {
			fmt.Fprintf(stdout, "itgrix-sim: --fleet-scenarios: %v; known: %s\n", err, strings.Join(names(), ", "))
			return 2
		}
	}
	if f.first != "" {
		a, err := netip.ParseAddr(f.first)
		if err != nil || !a.Is4() {
			fmt.Fprintf(stdout, "itgrix-sim: --fleet-first %q: want an IPv4 address\n", f.first)
			return 2
		}
		cfg.First = a
		if err := cfg.Check(); err != nil {
			fmt.Fprintf(stdout, "itgrix-sim: --fleet-first: %v\n", err)
			return 2
		}
	}
	fleet := sim.NewFleet(cfg)
	members := fleet.Members()
	if f.ini {
		var b strings.Builder
		for i, p := range members {
			u, err := iniURL(p, listen)
			if err != nil {
				fmt.Fprintf(stdout, "itgrix-sim: %v\n", err)
				return 2
			}
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "[pbx%d]\nurl = %s\nusername = %s\npassword = %s\n", p.Index, u, p.Username, p.Password)
		}
		fmt.Fprint(stdout, b.String())
		return 0
	}
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
