package license

import (
	"testing"
	"time"

	"check-itgrix/internal/itgrix"
)

// FuzzDaysLeft: any valid_till either fails to parse with a message naming
// the element, or gives a YYYY-MM-DD date whose day count agrees with a
// day-by-day walk for nearby dates.
//
//	go test -run '^$' -fuzz '^FuzzDaysLeft$' -fuzztime 10m ./internal/license
func FuzzDaysLeft(f *testing.F) {
	for _, s := range []string{"2027-05-11", "2028-02-29", "2027-02-29", "2027-05-11T23:30:00-05:00", "", " ", "soon", "0000-01-01", "9999-12-31", "2027-5-1", "2027-05-11Z"} {
		f.Add(s, int64(1795000000))
	}
	f.Fuzz(func(t *testing.T, till string, unix int64) {
		now := time.Unix(unix%(1<<40), 0).UTC()
		days, date, err := DaysLeft(itgrix.Elem[string]{Path: "license.valid_till", Value: till, Is: itgrix.Present}, now)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if date == "" {
			return
		}
		d, perr := time.Parse(time.DateOnly, date)
		if perr != nil {
			t.Fatalf("DaysLeft(%q) gave date %q", till, date)
		}
		if days > -400 && days < 400 {
			y, m, dd := now.Date()
			if got := time.Date(y, m, dd+days, 0, 0, 0, 0, time.UTC); !got.Equal(d) {
				t.Fatalf("now %s + %d days = %s, want %s", now, days, got, d)
			}
		}
	})
}
