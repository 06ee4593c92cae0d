package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func fixed() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC) }

func noEnv(string) string { return "" }

func TestPrintAndList(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--print", "--scenario", "expired"}, noEnv, &out, fixed); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	var doc struct {
		License struct {
			ValidTill string `json:"valid_till"`
		} `json:"license"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc.License.ValidTill != "2026-11-21" {
		t.Errorf("--print expired: %v %+v", err, doc)
	}
	out.Reset()
	if code := run(context.Background(), []string{"--list-scenarios"}, noEnv, &out, fixed); code != 0 || !strings.Contains(out.String(), "reconfiguring") {
		t.Errorf("--list-scenarios: %d %s", code, out.String())
	}
}

// TestNow: --now moves the simulator's clock, so the scenario's dates are
// as of that day; a malformed TIME is refused.
func TestNow(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--print", "--scenario", "expiring", "--now", "2027-05-01"}, noEnv, &out, fixed); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), `"valid_till": "2027-05-11"`) {
		t.Errorf("--now 2027-05-01 expiring:\n%s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"--print", "--scenario", "healthy", "--now", "2027-05-01T10:00:00Z"}, noEnv, &out, fixed); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), `"last_updated": "2027-05-01 09:55:00.000 +00:00"`) {
		t.Errorf("--now RFC 3339 healthy:\n%s", out.String())
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"--now", "soon"}, {"--scenario", "nope"}, {"--print", "--scenario", "nope"}, {"--bogus"}, {"--listen", "256.0.0.1:0"}} {
		var out bytes.Buffer
		if code := run(context.Background(), args, noEnv, &out, fixed); code == 0 || !strings.HasPrefix(out.String(), "itgrix-sim: ") {
			t.Errorf("%v: exit %d %q", args, code, out.String())
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, noEnv, &out, fixed); code != 0 || !strings.Contains(out.String(), "--scenario") {
		t.Errorf("--help: exit %d", code)
	}
	// A "--no-" form asks for no answer: unknown, as on the plugins, never
	// the help or the version. A switch still turns off.
	for _, f := range []string{"help", "help-long", "help-man", "version"} {
		out.Reset()
		if code := run(context.Background(), []string{"--no-" + f}, noEnv, &out, fixed); code != 2 || out.String() != "itgrix-sim: unknown long flag '--no-"+f+"'\n" {
			t.Errorf("--no-%s: exit %d %q", f, code, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"--no-list-scenarios", "--print"}, noEnv, &out, fixed); code != 0 || !strings.HasPrefix(out.String(), "{") {
		t.Errorf("--no-list-scenarios --print: exit %d %q", code, out.String())
	}
}

// TestServesUntilCancelled: the first line names the address, and
// cancelling the context (SIGTERM in main) stops the server cleanly.
func TestServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, w := newPipe()
	done := make(chan int)
	go func() { done <- run(ctx, []string{"--listen", "127.0.0.1:0"}, noEnv, w, fixed) }()
	select {
	case line := <-r:
		if !strings.HasPrefix(line, "listening on http://127.0.0.1:") || !strings.HasSuffix(line, "/status\n") {
			t.Errorf("first line %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no listening line")
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after cancel", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop")
	}
}

// pipeWriter hands each write to a channel.
type pipeWriter chan string

func (p pipeWriter) Write(b []byte) (int, error) { p <- string(b); return len(b), nil }

func newPipe() (<-chan string, pipeWriter) {
	c := make(chan string, 8)
	return c, pipeWriter(c)
}

func TestFleetFlags(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--fleet", "3", "--fleet-first", "127.17.0.254", "--password", "s", "--fleet-list"}, noEnv, &out, fixed); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "1\t127.17.1.1\t/pbx/1/status\tadmin\t") {
		t.Errorf("--fleet-list: %q", lines)
	}
	for _, args := range [][]string{{"--fleet", "0", "--fleet-list"}, {"--fleet=-1"}, {"--fleet", "2", "--fleet-first", "::1"}, {"--fleet", "2", "--fleet-first", "pbx"},
		// Past the end of IPv4 (once a panic), out of loopback, unknown scenarios.
		{"--fleet", "3", "--fleet-first", "255.255.255.254", "--fleet-list"}, {"--fleet", "2", "--fleet-first", "10.0.0.1", "--fleet-list"},
		{"--fleet", "300", "--fleet-first", "127.255.255.1", "--fleet-list"},
		{"--fleet", "2", "--fleet-scenarios", "healthy,Stopped", "--fleet-list"}, {"--fleet", "2", "--fleet-ini", "--listen", "127.0.0.1:0"}} {
		out.Reset()
		if code := run(context.Background(), args, noEnv, &out, fixed); code != 2 || !strings.HasPrefix(out.String(), "itgrix-sim: --fleet") {
			t.Errorf("%v: exit %d %q", args, code, out.String())
		}
	}
}

// --fleet-scenarios picks what the PBXs serve; --fleet-ini writes the
// operator's guide's ini for them, one section per PBX.
func TestFleetScenariosAndIni(t *testing.T) {
	var out bytes.Buffer
	args := []string{"--fleet", "3", "--fleet-first", "127.17.0.254", "--listen", "127.17.0.1:8077", "--password", "s", "--fleet-scenarios", "healthy,stopped"}
	if code := run(context.Background(), append(args, "--fleet-list"), noEnv, &out, fixed); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.Split(l, "\t")
		got = append(got, f[len(f)-1])
	}
	if strings.Join(got, " ") != "healthy stopped healthy" {
		t.Errorf("scenarios %v", got)
	}
	out.Reset()
	if code := run(context.Background(), append(args, "--fleet-ini"), noEnv, &out, fixed); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	ini := out.String()
	if !strings.HasPrefix(ini, "[pbx0]\nurl = http://127.17.0.254:8077/status\nusername = admin\npassword = ") ||
		!strings.Contains(ini, "\n\n[pbx1]\nurl = http://127.17.1.1:8077/status\n") || strings.Count(ini, "[pbx") != 3 {
		t.Errorf("--fleet-ini:\n%s", ini)
	}
	out.Reset()
	if code := run(context.Background(), []string{"--fleet", "1", "--listen", "127.0.0.1:9000", "--fleet-ini"}, noEnv, &out, fixed); code != 0 ||
		!strings.Contains(out.String(), "url = http://127.0.0.1:9000/pbx/0/status\n") {
		t.Errorf("path-only --fleet-ini: exit %d %q", code, out.String())
	}
}

// TestFleetIniWildcardListen: a --listen on every address writes the
// loopback address of its family into the ini, which a check on this
// host reaches; a named host is kept as given.
func TestFleetIniWildcardListen(t *testing.T) {
	for listen, want := range map[string]string{
		":8077":                 "http://127.0.0.1:8077/pbx/0/status",
		"0.0.0.0:8077":          "http://127.0.0.1:8077/pbx/0/status",
		"[::ffff:0.0.0.0]:8077": "http://127.0.0.1:8077/pbx/0/status",
		"[::]:8077":             "http://[::1]:8077/pbx/0/status",
		"127.0.0.2:8077":        "http://127.0.0.2:8077/pbx/0/status",
		"[::1]:8077":            "http://[::1]:8077/pbx/0/status",
		"localhost:8077":        "http://localhost:8077/pbx/0/status",
		"pbx.example:8077":      "http://pbx.example:8077/pbx/0/status",
	} {
		var out bytes.Buffer
		code := run(context.Background(), []string{"--fleet", "1", "--listen", listen, "--fleet-ini"}, noEnv, &out, fixed)
		if code != 0 || !strings.Contains(out.String(), "\nurl = "+want+"\n") {
			t.Errorf("--listen %s --fleet-ini: exit %d, want url = %s:\n%s", listen, code, want, out.String())
		}
	}
}
