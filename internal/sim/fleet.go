package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FleetConfig describes N virtual PBXs served by one process, as a poller
// watching a whole fleet sees them.
type FleetConfig struct {
	// N is the number of PBXs.
	N int
	// First is the address of PBX 0; PBX i answers on the i-th usable
	// address after it (addresses ending in .0 and .255 are skipped). The
	// zero value serves the fleet by path only.
	First netip.Addr
	// Username is every PBX's login; Secret seeds each PBX's own password.
	Username, Secret string
	// Period is how long a changing PBX stays in each scenario.
	Period time.Duration
	// Now is the fleet's clock.
	Now func() time.Time
	// Scenarios, when set, replaces the built-in mix: PBX i serves
	// Scenarios[i mod len], fixed, so a small trial shows exactly these.
	Scenarios []string
}

// Check reports a configuration the fleet cannot serve: an unknown
// scenario, or addresses that would leave 127.0.0.0/8 (where Linux answers
// every address on loopback) or run past the end of IPv4.
func (c FleetConfig) Check() error {
	for _, s := range c.Scenarios {
		if _, ok := scenarios[s]; !ok {
			return fmt.Errorf("unknown scenario %q", s)
		}
	}
	if !c.First.IsValid() {
		return nil
	}
	loop := netip.MustParsePrefix("127.0.0.0/8")
	if !c.First.Is4() || !loop.Contains(c.First) {
		return fmt.Errorf("%s is not in %s", c.First, loop)
	}
	if last := c.lastAddr(); !last.IsValid() || !loop.Contains(last) {
		return fmt.Errorf("%d PBXs from %s leave %s", c.N, c.First, loop)
	}
	return nil
}

// lastAddr is the address of the last PBX, or the invalid address when
// the range runs past 255.255.255.255.
func (c FleetConfig) lastAddr() netip.Addr {
	addr, last := c.First, netip.Addr{}
	for i := 0; i < c.N && addr.IsValid(); i++ {
		for b := addr.As4(); addr.IsValid() && (b[3] == 0 || b[3] == 255); {
			if addr = addr.Next(); addr.IsValid() {
				b = addr.As4()
			}
		}
		last, addr = addr, addr.Next()
	}
	return last
}

// PBX is one member of a fleet.
type PBX struct {
	Index int
	// Addr is where the PBX answers at /status; invalid for a path-only fleet.
	Addr netip.Addr
	// Path answers for this PBX on any of the fleet's listeners.
	Path               string
	Username, Password string
	// Scenarios is the PBX's scenario, or the cycle it moves through, one
	// step per Period, starting at a step that depends on the index so the
	// fleet never changes all at once.
	Scenarios []string
}

// mix is a fleet's composition per hundred PBXs: mostly healthy, a few in
// each fixed trouble, and five that change over time. PBX i takes entry
// i*37 mod 100, so even a small fleet shows some of each.
var mix = func() [100][]string {
	var m [100][]string
	fixed := []struct {
		n        int
		scenario string
	}{
		{80, "healthy"}, {5, "warning"}, {3, "queue"}, {1, "restarting"}, {1, "reconfiguring"},
		{1, "stopped"}, {1, "expiring"}, {1, "lastday"}, {1, "expired"}, {1, "free"},
	}
	i := 0
	for _, f := range fixed {
		for k := 0; k < f.n; k++ {
			m[i] = []string{f.scenario}
			i++
		}
	}
	// An outage and its recovery, a settings change, a CRM hiccup.
	cycles := [][]string{
		{"healthy", "restarting", "healthy", "stopped"},
		{"healthy", "reconfiguring"},
		{"healthy", "warning", "healthy", "queue"},
	}
	for k := 0; i < len(m); i, k = i+1, k+1 {
		m[i] = cycles[k%len(cycles)]
	}
	return m
}()

// Members lists the fleet's PBXs: addresses, paths, credentials, scenarios.
// Past the end of IPv4 a PBX has no address (Check refuses such a fleet).
func (c FleetConfig) Members() []PBX {
	out := make([]PBX, c.N)
	addr := c.First
	for i := range out {
		sum := sha256.Sum256([]byte(c.Secret + ":" + strconv.Itoa(i)))
		p := PBX{Index: i, Path: fmt.Sprintf("/pbx/%d/status", i), Username: c.Username,
			Password: hex.EncodeToString(sum[:8]), Scenarios: mix[i*37%len(mix)]}
		if len(c.Scenarios) > 0 {
			p.Scenarios = []string{c.Scenarios[i%len(c.Scenarios)]}
		}
		if addr.IsValid() {
			for b := addr.As4(); addr.IsValid() && (b[3] == 0 || b[3] == 255); {
				if addr = addr.Next(); addr.IsValid() {
					b = addr.As4()
				}
			}
			p.Addr = addr
			addr = addr.Next()
		}
		out[i] = p
	}
	return out
}

// ScenarioAt is the scenario the PBX shows at t.
func (p PBX) ScenarioAt(t time.Time, period time.Duration) string {
	if len(p.Scenarios) == 1 || period <= 0 {
		return p.Scenarios[0]
	}
	step := (t.UnixNano()/int64(period) + int64(p.Index)) % int64(len(p.Scenarios))
	return p.Scenarios[step]
}

// Fleet serves every PBX of a FleetConfig. It is cheap per request: the
// documents are built once per scenario and second and shared by all PBXs.
type Fleet struct {
	cfg     FleetConfig
	members []PBX
	auth    []*guardedAuth
	byAddr  map[netip.Addr]int
	answers atomic.Int64 // authenticated answers

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	at  int64 // Unix second the document was built for
	doc []byte
}

// NewFleet prepares the fleet's PBXs and their Digest authenticators.
func NewFleet(c FleetConfig) *Fleet {
	f := &Fleet{cfg: c, members: c.Members(), byAddr: map[netip.Addr]int{}, cache: map[string]cached{}}
	f.auth = make([]*guardedAuth, len(f.members))
	for i, p := range f.members {
		a := digestAuth(p.Username, p.Password)
		// A poller comes back once a minute with a fresh nonce: a few
		// remembered nonces per PBX are plenty, and keep N PBXs' memory flat.
		a.a.ClientCacheSize, a.a.ClientCacheTolerance = 8, 8
		f.auth[i] = a
		if p.Addr.IsValid() {
			f.byAddr[p.Addr] = i
		}
	}
	return f
}

// Members lists the fleet's PBXs.
func (f *Fleet) Members() []PBX { return f.members }

// Answers is how many authenticated documents the fleet has served.
func (f *Fleet) Answers() int64 { return f.answers.Load() }

// Listen opens a listener on port for every PBX that has an address.
// On error it closes what it opened.
func (f *Fleet) Listen(port int) ([]net.Listener, error) {
	var lns []net.Listener
	for _, p := range f.members {
		if !p.Addr.IsValid() {
			continue
		}
		ln, err := net.Listen("tcp", netip.AddrPortFrom(p.Addr, uint16(port)).String())
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, err
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

// ServeHTTP answers /status by the address the request came in on,
// /pbx/<i>/status on any listener, and /fleet/stats (no authentication:
// counts only) for benchmarks.
func (f *Fleet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path == "/fleet/stats" {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"pbxs\":%d,\"answers\":%d}\n", len(f.members), f.answers.Load())
		return
	}
	i := -1
	if rest, ok := strings.CutPrefix(path, "/pbx/"); ok {
		if n, ok := strings.CutSuffix(rest, "/status"); ok {
			if k, err := strconv.Atoi(n); err == nil && k >= 0 && k < len(f.members) && strconv.Itoa(k) == n {
				i = k
			}
		}
	} else if path == "/status" {
		if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			if ap, err := netip.ParseAddrPort(a.String()); err == nil {
				if k, ok := f.byAddr[ap.Addr().Unmap()]; ok {
					i = k
				}
			}
		}
	}
	if i < 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(errorBody("not found"))
		return
	}
	if !f.auth[i].check(w, r) {
		return
	}
	f.answers.Add(1)
	doc, status := f.document(f.members[i].ScenarioAt(f.cfg.Now(), f.cfg.Period))
	if p := r.URL.Query().Get("path"); p != "" && status == http.StatusOK {
		doc, status = element(doc, p)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(doc)
}

// document returns the scenario's document, rebuilt at most once a second.
func (f *Fleet) document(scenario string) ([]byte, int) {
	now := f.cfg.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.cache[scenario]; ok && c.at == now.Unix() {
		return c.doc, http.StatusOK
	}
	doc, err := Document(scenario, now)
	if err != nil {
		return errorBody(err.Error()), http.StatusInternalServerError
	}
	f.cache[scenario] = cached{now.Unix(), doc}
	return doc, http.StatusOK
}
