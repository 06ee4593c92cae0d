package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"check-itgrix/internal/test/golden"
	"check-itgrix/internal/test/zonetest"
)

func noEnv(string) string { return "" }

func TestGolden(t *testing.T) {
	zonetest.Each(t, func(t *testing.T) {
		// valid_till of the healthy fixture is 2027-05-11.
		at := func(y int, m time.Month, d, h int) func() time.Time {
			return func() time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
		}
		healthy := "../../testdata/status/bx-healthy.json"
		cases := []struct {
			name string
			now  func() time.Time
			args []string
			code int
		}{
			{"169-days-left", at(2026, 11, 23, 12), []string{"--status-file", healthy}, 0},
			{"30-days-left", at(2027, 4, 11, 12), []string{"--status-file", healthy}, 0},
			{"29-days-left", at(2027, 4, 12, 12), []string{"--status-file", healthy}, 1},
			{"7-days-left", at(2027, 5, 4, 12), []string{"--status-file", healthy}, 1},
			{"6-days-left", at(2027, 5, 5, 12), []string{"--status-file", healthy}, 2},
			{"last-day", at(2027, 5, 11, 23), []string{"--status-file", healthy}, 2},
			{"last-day-c0", at(2027, 5, 11, 23), []string{"--status-file", healthy, "-c", "0"}, 1},
			{"expired-1-day", at(2027, 5, 12, 0), []string{"--status-file", healthy}, 2},
			{"moscow-already-next-day", at(2027, 5, 11, 22), []string{"--status-file", healthy, "--timezone", "Europe/Moscow"}, 2},
			{"subscription-expected-professional", at(2026, 11, 23, 12), []string{"--status-file", "../../testdata/status/kommo-stopped.json", "--expected-type", "Professional"}, 2},
			{"usage-c-above-w", at(2026, 11, 23, 12), []string{"-w", "5", "-c", "6"}, 3},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var out bytes.Buffer
				code := run(c.args, noEnv, strings.NewReader(""), &out, c.now)
				if code != c.code {
					t.Errorf("exit %d, want %d\n%s", code, c.code, out.String())
				}
				golden.Assert(t, "license/"+c.name+".txt", out.String())
			})
		}
	})
}
