package check

import (
	"strings"
	"time"
)

// Duration is d as Go writes it ("1.5s", "250ms") in plain ASCII: "us"
// for microseconds, never "µs", so an engine, a mail or a pager that
// mangles UTF-8 shows what the plugin says of itself as it is.
func Duration(d time.Duration) string {
	return strings.Replace(d.String(), "µs", "us", 1)
}
