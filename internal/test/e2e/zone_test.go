package e2e

import (
	"strings"
	"testing"

	"check-itgrix/internal/test/zonetest"
)

// TestZonesFarFromUTC runs the simulator and the licence plugin together in
// zones whose date differs from UTC's for most of the day. The simulator
// dates its licences relative to its own today; the plugin counts from its
// own today; with both in the same zone the counts are exact in every zone.
func TestZonesFarFromUTC(t *testing.T) {
	cases := []struct{ scenario, want string }{
		{"expiring", "(10 days left)"},
		{"lastday", "(today is the last valid day)"},
		{"expired", "expired 3 days ago"},
		{"healthy", "(200 days left)"},
	}
	for _, zone := range zonetest.Far {
		t.Run(zone, func(t *testing.T) {
			base := startSimIn(t, zone)
			for _, c := range cases {
				r := pluginIn(t, zone, nil, "check_itgrix_license", "--url", base+"/"+c.scenario+"/status", "-u", "admin", "-P", Password)
				if !strings.Contains(r.Line1(), c.want) {
					t.Errorf("%s in %s: %q, want %q", c.scenario, zone, r.Line1(), c.want)
				}
			}
		})
	}
}
