package integration

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// NetEnv names the variable that confines a run's PBX addresses to a
// loopback range (e.g. 127.15.0.0/16); without it any of 127.0.0.0/8
// outside 127.0.0.0/24 may be picked.
const NetEnv = "INTEGRATION_NET"

// PBXPorts are the fixed ports every PBX address must have free: Itgrix's
// 8077 (contrib's commands rely on the plugins' default) and NRPE's 5666
// (contrib's check_nrpe command relies on its default).
var PBXPorts = []int{8077, 5666}

// Net is the run's slice of loopback: a /24 (or the forced range if
// narrower) whose host addresses the PBXs use.
type Net struct {
	Prefix netip.Prefix
}

// PickNet chooses a /24 inside within (a 127.0.0.0/8 range) on which n
// addresses have every port of ports free, trying random candidates so
// that concurrent runs on one machine do not collide.
func PickNet(within string, n int, ports []int) (*Net, error) {
	if within == "" {
		within = "127.0.0.0/8"
	}
	p, err := netip.ParsePrefix(within)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", NetEnv, within, err)
	}
	p = p.Masked()
	if !p.Addr().Is4() || !netip.MustParsePrefix("127.0.0.0/8").Contains(p.Addr()) || p.Bits() < 8 {
		return nil, fmt.Errorf("%s=%q: not a range inside 127.0.0.0/8", NetEnv, within)
	}
	if p.Bits() > 24 && 1<<(32-p.Bits()) < n+2 {
		return nil, fmt.Errorf("%s=%q: too small for %d addresses", NetEnv, within, n)
	}
	var lastErr error
	for try := 0; try < 20; try++ {
		cand := p
		if p.Bits() < 24 {
			base := p.Addr().As4()
			v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8
			v |= uint32(rand.IntN(1<<(24-p.Bits()))) << 8
			cand = netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), 0}), 24)
			if cand.Addr().As4()[1] == 0 && cand.Addr().As4()[2] == 0 {
				continue // 127.0.0.0/24 is everybody's localhost
			}
		}
		nt := &Net{Prefix: cand}
		if lastErr = nt.free(n, ports); lastErr == nil {
			return nt, nil
		}
	}
	return nil, fmt.Errorf("no free loopback block in %s (last: %v); set %s to a free range", p, lastErr, NetEnv)
}

// Host returns the i-th host address of the block (from 0).
func (nt *Net) Host(i int) string {
	a := nt.Prefix.Addr()
	for k := 0; k <= i; k++ {
		a = a.Next()
	}
	return a.String()
}

func (nt *Net) free(n int, ports []int) error {
	for i := 0; i < n; i++ {
		for _, port := range ports {
			l, err := net.Listen("tcp4", net.JoinHostPort(nt.Host(i), strconv.Itoa(port)))
			if err != nil {
				return err
			}
			l.Close()
		}
	}
	return nil
}

// FreePort returns a port free on 127.0.0.1, for a daemon about to bind
// it. The kernel's own choice (port 0) would come from the ephemeral range,
// where any outgoing connection of the run (an engine polling a PBX, a
// browser) may take it as its source port before the daemon binds it; so
// the port is drawn below that range, and never twice in one run.
func FreePort() (int, error) {
	lo, hi := freePortRange()
	for try := 0; try < 200; try++ {
		port := lo + rand.IntN(hi-lo)
		if _, taken := handedOut.LoadOrStore(port, true); taken {
			continue
		}
		l, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port on 127.0.0.1 in %d-%d after 200 tries", lo, hi-1)
}

// handedOut holds the ports FreePort has given, so two daemons of a run
// never get the same one before either binds it.
var handedOut sync.Map

// freePortRange is the ports below the ephemeral range
// (net.ipv4.ip_local_port_range), above the well-known and the usual
// service ports.
func freePortRange() (lo, hi int) {
	lo, hi = 20000, 32768
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return lo, hi
	}
	var first, last int
	if _, err := fmt.Sscan(string(b), &first, &last); err == nil && first > lo+1000 {
		hi = first
	}
	return lo, hi
}

// httpGet is the body of a GET of u, within 20 s; a status other than 2xx
// is an error quoting the start of the body.
func httpGet(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return httpDo(ctx, http.MethodGet, u, "", nil)
}

// httpPost posts form to u, within 20 s.
func httpPost(ctx context.Context, u string, form url.Values) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, err := httpDo(ctx, http.MethodPost, u, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	return err
}

// httpDo is the one HTTP exchange of the harness's clients (Graphite,
// InfluxDB, the Zabbix API): the body of the answer, up to 64 MiB, or an
// error naming the request for a status other than 2xx.
func httpDo(ctx context.Context, method, u, contentType string, body io.Reader) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return b, fmt.Errorf("%s %s: %s: %.300s", method, u, resp.Status, b)
	}
	return b, nil
}
