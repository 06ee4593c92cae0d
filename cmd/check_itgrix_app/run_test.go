package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"check-itgrix/internal/test/golden"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 24, 9, 14, 2, 0, time.UTC) }

func noEnv(string) string { return "" }

// TestGolden drives the whole program on saved documents with a fixed
// clock: the output is exactly what Nagios would receive.
func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"bx-healthy", []string{"--status-file", "../../testdata/status/bx-healthy.json"}, 0},
		{"bx-healthy-verbose", []string{"--status-file", "../../testdata/status/bx-healthy.json", "-v"}, 0},
		{"kommo-stopped", []string{"--status-file", "../../testdata/status/kommo-stopped.json"}, 2},
		{"kommo-stopped-queue-critical", []string{"--status-file", "../../testdata/status/kommo-stopped.json", "--queue-warning", "5", "--queue-critical=@10:20"}, 2},
		{"kommo-stopped-as-warning", []string{"--status-file", "../../testdata/status/kommo-stopped.json", "--stopped-state", "WARNING"}, 2},
		{"hostile-app-err", []string{"--status-file", "../../testdata/status/hostile-app-err.json"}, 2},
		{"not-json", []string{"--status-file", "../../testdata/status/not-json.html"}, 3},
		{"usage-bad-range", []string{"--queue-warning", "1.2.3"}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			code := run(c.args, noEnv, strings.NewReader(""), &out, fixedNow)
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			golden.Assert(t, "app/"+c.name+".txt", out.String())
		})
	}
}

func TestStdinStatusFile(t *testing.T) {
	var out bytes.Buffer
	code := run([]string{"--status-file", "-"}, noEnv, strings.NewReader(`{"app_status":"Ok","app_state":"","app_err":"a|b"}`), &out, fixedNow)
	if code != 0 || strings.Count(out.String(), "|") != 1 {
		t.Errorf("exit %d:\n%s", code, out.String())
	}
}
