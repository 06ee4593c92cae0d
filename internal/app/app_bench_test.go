package app

import (
	"os"
	"testing"

	"check-itgrix/internal/itgrix"
)

func BenchmarkEvaluate(b *testing.B) {
	body, err := os.ReadFile("../../testdata/status/kommo-stopped.json")
	if err != nil {
		b.Fatal(err)
	}
	s, err := itgrix.Parse(body)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Evaluate(s, DefaultOptions(), now)
	}
}
