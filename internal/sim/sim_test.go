package sim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"check-itgrix/internal/app"
	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/license"
)

var now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// TestNewStateScenarios: each scenario for an opt-in alert raises it when
// the flag asks, so a scenario cannot drift from what it claims.
func TestNewStateScenarios(t *testing.T) {
	r := func(s string) *check.Range {
		v, err := check.ParseRange(s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	day := 24 * time.Hour
	cases := []struct {
		scenario string
		set      func(*app.Options)
		want     check.State
		phrase   string
	}{
		{"stale-cache", func(o *app.Options) { o.CacheAgeCritical = &day }, check.Critical, "users cache updated 3d 2h ago (critical: older than 1d)"},
		{"healthy", func(o *app.Options) { o.CacheAgeCritical = &day }, check.OK, "Itgrix running (status Ok), 0 calls queued"},
		{"storage", func(o *app.Options) { o.StorageWarning = r("100") }, check.Warning, "250 calls in storage (warning: above 100)"},
		{"healthy", func(o *app.Options) { o.StorageWarning = r("100") }, check.OK, "3 calls in storage"},
		{"batch", func(o *app.Options) { o.BatchCritical = r("100") }, check.Critical, "400 CRM requests waiting for a batch (critical: above 100)"},
		{"crm-off", func(o *app.Options) { o.CRMOff = check.Warning }, check.Warning, "CRM link and connector switched off"},
		{"healthy", func(o *app.Options) { o.CRMOff = check.Warning }, check.OK, "Itgrix running (status Ok), 0 calls queued"},
		{"c2c-down", func(o *app.Options) { o.C2C = check.Critical }, check.Critical, "click-to-call not connected"},
		{"healthy", func(o *app.Options) { o.C2C = check.Critical }, check.OK, "Itgrix running (status Ok), 0 calls queued"},
	}
	for _, c := range cases {
		body, err := Document(c.scenario, now)
		if err != nil {
			t.Fatal(err)
		}
		s, err := itgrix.Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		o := app.DefaultOptions()
		c.set(&o)
		res := app.Evaluate(s, o, now)
		// What decided a state leads line 1; an OK count ends it.
		if res.State != c.want || !strings.HasPrefix(res.Summary, c.phrase) && !(res.State == check.OK && strings.HasSuffix(res.Summary, c.phrase)) {
			t.Errorf("%s: %v %q, want %v with %q", c.scenario, res.State, res.Summary, c.want, c.phrase)
		}
	}
}

// TestScenariosMeanWhatTheySay evaluates every scenario with the default
// options, so a scenario cannot drift from what the demo claims.
func TestScenariosMeanWhatTheySay(t *testing.T) {
	want := map[string]struct {
		app, lic check.State
		days     float64
	}{
		"healthy":       {check.OK, check.OK, 200},
		"warning":       {check.Warning, check.OK, 200},
		"restarting":    {check.Warning, check.OK, 200},
		"reconfiguring": {check.Warning, check.OK, 200},
		"stopped":       {check.Critical, check.OK, 120},
		"queue":         {check.OK, check.OK, 200},
		"expiring":      {check.OK, check.Warning, 10},
		"lastday":       {check.OK, check.Critical, 0},
		"expired":       {check.OK, check.Critical, -3},
		"free":          {check.OK, check.OK, -999},
		// The scenarios for the opt-in alerts are OK with default flags.
		"stale-cache": {check.OK, check.OK, 200},
		"storage":     {check.OK, check.OK, 200},
		"batch":       {check.OK, check.OK, 200},
		"crm-off":     {check.OK, check.OK, 200},
		"c2c-down":    {check.OK, check.OK, 200},
		// Not a status document: the reader refuses it (--invalid-state);
		// the row only counts it among the scenarios.
		"foreign": {},
	}
	if len(Scenarios()) != len(want) {
		t.Errorf("scenarios %v, table has %d", Scenarios(), len(want))
	}
	for name, w := range want {
		body, err := Document(name, now)
		if err != nil {
			t.Fatal(err)
		}
		s, err := itgrix.Parse(body)
		var notADocument *itgrix.DocumentError
		if name == "foreign" {
			if !errors.As(err, &notADocument) {
				t.Errorf("foreign: read as a status document (%v), want the reader to refuse it", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r := app.Evaluate(s, app.DefaultOptions(), now); r.State != w.app {
			t.Errorf("%s: app %v, want %v (%s)", name, r.State, w.app, r.Summary)
		}
		o := license.DefaultOptions()
		o.Location = time.UTC
		r := license.Evaluate(s, o, now)
		if r.State != w.lic {
			t.Errorf("%s: licence %v, want %v (%s)", name, r.State, w.lic, r.Summary)
		}
		days := -999.0
		for _, p := range r.Perf {
			if p.Label == "days_left" {
				days = p.Value
			}
		}
		if days != w.days {
			t.Errorf("%s: days_left %v, want %v", name, days, w.days)
		}
	}
	if _, err := Document("nope", now); err == nil {
		t.Error("unknown scenario accepted")
	}
}

func get(t *testing.T, srv *httptest.Server, path, user, pass string) (int, string) {
	t.Helper()
	u, _ := url.Parse(srv.URL + path)
	c := &itgrix.Client{URL: u, Username: user, Password: pass, Timeout: 5 * time.Second}
	body, err := c.Fetch(context.Background())
	if e, ok := err.(*itgrix.Error); ok {
		switch e.Kind {
		case itgrix.AuthFailed:
			return 401, e.Error()
		case itgrix.NotFound:
			return 404, e.Error()
		}
		return 0, e.Error()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 200, string(body)
}

func TestHandler(t *testing.T) {
	file := filepath.Join(t.TempDir(), "status.json")
	if err := os.WriteFile(file, []byte(`{"from":"file"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(Config{Username: "admin", Password: "pw", Scenario: "healthy", Now: func() time.Time { return now }}))
	defer srv.Close()
	fileSrv := httptest.NewServer(Handler(Config{Username: "admin", Password: "pw", StatusFile: file, Now: func() time.Time { return now }}))
	defer fileSrv.Close()

	cases := []struct {
		srv        *httptest.Server
		path, pass string
		code       int
		body       string
	}{
		{srv, "/status?path=license.valid_till", "pw", 200, `"2027-06-12"`},
		{srv, "/status?path=app.calls_queue", "pw", 200, `{"calls":0,"lock":"locked in 412ns"}`},
		{srv, "/expired/status?path=license.valid_till", "pw", 200, `"2026-11-21"`},
		{srv, "/stopped/status?path=app_state", "pw", 200, `"stopped"`},
		{fileSrv, "/status", "pw", 200, `{"from":"file"}`},
		{fileSrv, "/queue/status?path=app.calls_queue.calls", "pw", 200, `25`},
		{srv, "/status", "wrong", 401, ""},
		{srv, "/nope/status", "pw", 404, ""},
		{srv, "/other", "pw", 404, ""},
		// An unknown element is the client's mistake: 400.
		{srv, "/status?path=license.nope", "pw", 0, ""},
	}
	for _, c := range cases {
		code, body := get(t, c.srv, c.path, "admin", c.pass)
		if code != c.code || c.body != "" && body != c.body {
			t.Errorf("%s: %d %s, want %d %s", c.path, code, body, c.code, c.body)
		}
	}
	if _, msg := get(t, srv, "/status?path=license.nope", "admin", "pw"); !strings.Contains(msg, "HTTP 400 Bad Request") {
		t.Errorf("unknown element: %s", msg)
	}
	// Without credentials the endpoint answers 401 with a Digest challenge.
	res, err := http.Get(srv.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Digest ") {
		t.Errorf("unauthenticated request: %d, want 401", res.StatusCode)
	}
}

func TestDelayHonoursCancellation(t *testing.T) {
	srv := httptest.NewServer(Handler(Config{Username: "a", Password: "b", Scenario: "healthy", Delay: time.Hour, Now: time.Now}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/status")
	start := time.Now()
	_, err := (&itgrix.Client{URL: u, Username: "a", Password: "b", Timeout: 200 * time.Millisecond}).Fetch(context.Background())
	if e, ok := err.(*itgrix.Error); !ok || e.Kind != itgrix.Timeout || time.Since(start) > 2*time.Second {
		t.Errorf("%v after %s", err, time.Since(start))
	}
}

// TestConcurrentLogins: pollers log in to one simulated PBX at the same
// time; every Digest exchange succeeds and, under -race, none races.
func TestConcurrentLogins(t *testing.T) {
	srv := httptest.NewServer(Handler(Config{Username: "admin", Password: "pw", Scenario: "healthy", Now: time.Now}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/status")
	errs := make(chan error, 16)
	for i := 0; i < cap(errs); i++ {
		go func() {
			_, err := (&itgrix.Client{URL: u, Username: "admin", Password: "pw", Timeout: 10 * time.Second}).Fetch(context.Background())
			errs <- err
		}()
	}
	for i := 0; i < cap(errs); i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
