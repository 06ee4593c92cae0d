// Package zonetest runs a test as if the machine's zone were one far from
// UTC, so a result that depends on the host's zone (time.Local) instead of
// the injected clock fails on every machine, not only on some.
package zonetest

import (
	"testing"
	"time"

	// The zones must load on machines without a zoneinfo database.
	_ "time/tzdata"
)

// Far are host zones chosen to move the calendar date away from UTC's for
// most of the day: UTC+14, UTC-8/-7 with DST, UTC+10.
var Far = []string{"UTC", "Pacific/Kiritimati", "America/Los_Angeles", "Asia/Vladivostok"}

// Each runs f once per zone in Far as a subtest, with time.Local set to that
// zone, and restores time.Local afterwards. Tests using it must not run in
// parallel with tests that read time.Local.
func Each(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	for _, name := range Far {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		time.Local = loc
		t.Run(name, f)
	}
	time.Local = saved
}
