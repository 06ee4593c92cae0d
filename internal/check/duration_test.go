package check

import (
	"testing"
	"time"
)

func TestDurationIsASCII(t *testing.T) {
	for d, want := range map[time.Duration]string{
		110 * time.Microsecond:  "110us",
		1500 * time.Microsecond: "1.5ms",
		10 * time.Second:        "10s",
		1234 * time.Nanosecond:  "1.234us",
		0:                       "0s",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%d) = %q, want %q", d, got, want)
		}
	}
}
