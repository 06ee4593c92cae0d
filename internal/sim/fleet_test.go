package sim

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icholy/digest"

	"check-itgrix/internal/itgrix"
)

func fleetConfig(n int, first string) FleetConfig {
	c := FleetConfig{N: n, Username: "admin", Secret: "seed", Period: 10 * time.Minute, Now: func() time.Time { return now }}
	if first != "" {
		c.First = netip.MustParseAddr(first)
	}
	return c
}

// TestFleetMembers pins the fleet's shape: addresses in order skipping .0
// and .255, a password of its own per PBX, the advertised mix.
func TestFleetMembers(t *testing.T) {
	ms := fleetConfig(1000, "127.17.250.253").Members()
	wantAddr := map[int]string{0: "127.17.250.253", 1: "127.17.250.254", 2: "127.17.251.1", 255: "127.17.251.254", 256: "127.17.252.1"}
	for i, a := range wantAddr {
		if got := ms[i].Addr.String(); got != a {
			t.Errorf("PBX %d at %s, want %s", i, got, a)
		}
	}
	seen := map[string]bool{}
	counts := map[string]int{}
	changing := 0
	for i, p := range ms {
		if seen[p.Password] || len(p.Password) != 16 {
			t.Errorf("PBX %d: password %q repeated or short", i, p.Password)
		}
		seen[p.Password] = true
		if p.Path != "/pbx/"+strconv.Itoa(i)+"/status" {
			t.Errorf("PBX %d: path %s", i, p.Path)
		}
		if len(p.Scenarios) > 1 {
			changing++
		} else {
			counts[p.Scenarios[0]]++
		}
		for _, s := range p.Scenarios {
			if _, ok := scenarios[s]; !ok {
				t.Errorf("PBX %d: unknown scenario %s", i, s)
			}
		}
	}
	if counts["healthy"] != 800 || changing != 50 || counts["stopped"] != 10 {
		t.Errorf("mix: %v, %d changing", counts, changing)
	}
	// A small fleet still shows trouble.
	small := map[string]bool{}
	for _, p := range fleetConfig(20, "").Members() {
		small[p.Scenarios[0]] = true
		if p.Addr.IsValid() {
			t.Errorf("path-only fleet has address %s", p.Addr)
		}
	}
	if len(small) < 4 {
		t.Errorf("20 PBXs show only %v", small)
	}
	if again := fleetConfig(1000, "127.17.250.253").Members(); again[999].Password != ms[999].Password || again[999].Addr != ms[999].Addr {
		t.Error("members differ between two calls")
	}
}

// TestScenarioAtChanges: a changing PBX moves one step per period, and
// neighbours are out of step so the fleet never changes all at once.
func TestScenarioAtChanges(t *testing.T) {
	p := PBX{Index: 0, Scenarios: []string{"a", "b", "c"}}
	q := PBX{Index: 1, Scenarios: p.Scenarios}
	t0 := time.Unix(0, 0)
	var got []string
	for k := 0; k < 4; k++ {
		at := t0.Add(time.Duration(k)*time.Minute + 30*time.Second)
		got = append(got, p.ScenarioAt(at, time.Minute)+q.ScenarioAt(at, time.Minute))
	}
	if strings.Join(got, " ") != "ab bc ca ab" {
		t.Errorf("steps %v", got)
	}
	if s := (PBX{Scenarios: []string{"x"}}).ScenarioAt(t0, time.Minute); s != "x" {
		t.Errorf("fixed PBX: %s", s)
	}
}

func fetch(t *testing.T, u, user, pass string) (string, error) {
	t.Helper()
	pu, _ := url.Parse(u)
	body, err := (&itgrix.Client{URL: pu, Username: user, Password: pass, Timeout: 5 * time.Second}).Fetch(context.Background())
	return string(body), err
}

// TestFleetServes: each PBX answers with its own credentials and scenario,
// by path and by address; another PBX's password is refused.
func TestFleetServes(t *testing.T) {
	f := NewFleet(fleetConfig(100, "127.17.254.1"))
	ms := f.Members()
	srv := httptest.NewServer(f)
	defer srv.Close()
	var stopped, healthy PBX
	for _, p := range ms {
		switch p.Scenarios[0] {
		case "stopped":
			stopped = p
		case "healthy":
			healthy = p
		}
	}
	body, err := fetch(t, srv.URL+stopped.Path, "admin", stopped.Password)
	if err != nil || !strings.Contains(body, `"app_state": "stopped"`) {
		t.Errorf("stopped PBX by path: %v %.80s", err, body)
	}
	if _, err := fetch(t, srv.URL+stopped.Path, "admin", healthy.Password); err == nil || err.(*itgrix.Error).Kind != itgrix.AuthFailed {
		t.Errorf("another PBX's password: %v", err)
	}
	for _, p := range []string{"/pbx/100/status", "/pbx/01/status", "/pbx/-1/status", "/status", "/pbx/x/status"} {
		if _, err := fetch(t, srv.URL+p, "admin", healthy.Password); err == nil || err.(*itgrix.Error).Kind != itgrix.NotFound {
			t.Errorf("%s: %v, want 404", p, err)
		}
	}
	body, err = fetch(t, srv.URL+stopped.Path+"?path=app_err", "admin", stopped.Password)
	if err != nil || body != `"CRM authorization failed: refresh token rejected"` {
		t.Errorf("path parameter: %v %s", err, body)
	}

	// By address: two PBXs on their own loopback addresses.
	lns, err := f.Listen(0)
	if err != nil {
		t.Skipf("cannot listen on 127.17.254.x: %v", err)
	}
	if len(lns) != 100 {
		t.Fatalf("%d listeners", len(lns))
	}
	s2 := &http.Server{Handler: f}
	for _, l := range lns {
		go s2.Serve(l)
	}
	defer s2.Close()
	for _, p := range []PBX{stopped, healthy} {
		addr := lns[p.Index].Addr().(*net.TCPAddr)
		if addr.IP.String() != p.Addr.String() {
			t.Fatalf("listener %d on %s, PBX at %s", p.Index, addr.IP, p.Addr)
		}
		body, err := fetch(t, "http://"+addr.String()+"/status", "admin", p.Password)
		if err != nil || !strings.Contains(body, `"app_status": "`+map[string]string{"stopped": "Error", "healthy": "Ok"}[p.Scenarios[0]]) {
			t.Errorf("PBX %d by address: %v %.80s", p.Index, err, body)
		}
	}
	if got := f.Answers(); got != 4 {
		t.Errorf("answers %d, want 4", got)
	}
	res, err := http.Get(srv.URL + "/fleet/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if string(b) != "{\"pbxs\":100,\"answers\":4}\n" {
		t.Errorf("stats %q", b)
	}
}

// BenchmarkFleetCheck is one whole check (Digest challenge and answer)
// against a 5000-PBX fleet, client and server in one process: an upper
// bound on what the fleet costs per check.
func BenchmarkFleetCheck(b *testing.B) {
	f := NewFleet(fleetConfig(5000, ""))
	ms := f.Members()
	srv := httptest.NewServer(f)
	defer srv.Close()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := ms[i%len(ms)]
		u, _ := url.Parse(srv.URL + p.Path)
		if _, err := (&itgrix.Client{URL: u, Username: "admin", Password: p.Password, Timeout: 5 * time.Second}).Fetch(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFleetForgetsOldNonces: a PBX remembers only its most recent nonces,
// so a fleet polled for hours keeps flat memory. A nonce answered after
// many newer challenges is refused; a fresh one is accepted.
func TestFleetForgetsOldNonces(t *testing.T) {
	f := NewFleet(fleetConfig(1, ""))
	p := f.Members()[0]
	srv := httptest.NewServer(f)
	defer srv.Close()
	challenge := func() *digest.Challenge {
		res, err := http.Get(srv.URL + p.Path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		c, err := digest.FindChallenge(res.Header)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	answer := func(c *digest.Challenge) int {
		cred, err := digest.Digest(c, digest.Options{Method: "GET", URI: p.Path, Count: 1, Username: p.Username, Password: p.Password})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", srv.URL+p.Path, nil)
		req.Header.Set("Authorization", cred.String())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	old := challenge()
	for i := 0; i < 100; i++ {
		challenge()
	}
	if code := answer(old); code != http.StatusUnauthorized {
		t.Errorf("answer to a nonce 100 challenges old: HTTP %d, want 401", code)
	}
	if code := answer(challenge()); code != http.StatusOK {
		t.Errorf("answer to a fresh nonce: HTTP %d, want 200", code)
	}
}

// A fleet near the end of IPv4 or leaving 127.0.0.0/8 is refused by Check,
// and Members never panics on it.
func TestFleetCheck(t *testing.T) {
	for _, c := range []struct {
		first string
		n     int
		want  string // "" for accepted
	}{
		{"127.17.0.254", 3, ""},
		{"127.255.255.253", 2, ""},
		{"127.255.255.253", 3, "leave 127.0.0.0/8"}, // .255 and 128.0.0.0 skipped
		{"255.255.255.254", 1, "is not in"},
		{"255.255.255.254", 3, "is not in"},
		{"10.0.0.1", 1, "is not in"},
	} {
		cfg := FleetConfig{N: c.n, First: netip.MustParseAddr(c.first)}
		err := cfg.Check()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%d from %s: %v", c.n, c.first, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%d from %s: %v, want %q", c.n, c.first, err, c.want)
		}
		_ = cfg.Members() // must not panic
	}
	if err := (FleetConfig{N: 2, Scenarios: []string{"healthy", "nope"}}).Check(); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown scenario: %v", err)
	}
}

// --fleet-scenarios: PBX i serves the i-th scenario of the list, fixed.
func TestFleetScenarios(t *testing.T) {
	m := FleetConfig{N: 5, Scenarios: []string{"healthy", "stopped"}}.Members()
	for i, p := range m {
		want := []string{"healthy", "stopped"}[i%2]
		if len(p.Scenarios) != 1 || p.Scenarios[0] != want {
			t.Errorf("PBX %d: %v, want [%s]", i, p.Scenarios, want)
		}
	}
}
