package license

import (
	"testing"
	"time"

	"check-itgrix/internal/itgrix"
)

func BenchmarkEvaluate(b *testing.B) {
	s, err := itgrix.Parse([]byte(`{"license":{"type":"Professional","valid_till":"2027-05-11"}}`))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		_ = Evaluate(s, DefaultOptions(), now)
	}
}
