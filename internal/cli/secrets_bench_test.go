package cli

import (
	"os"
	"testing"
	"time"

	"check-itgrix/internal/app"
	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/secret"
)

// BenchmarkEvaluateScrubbed prices the scrubbing of the document against
// the evaluation alone, on the healthy fixture: with a password that
// occurs nowhere (the usual case: one walk over the string elements) and
// with one that occurs in app_err (two evaluations).
func BenchmarkEvaluateScrubbed(b *testing.B) {
	body, err := os.ReadFile("../../testdata/status/bx-healthy.json")
	if err != nil {
		b.Fatal(err)
	}
	s, err := itgrix.Parse(body)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	evaluate := func(s *itgrix.Status, now time.Time) check.Result { return app.Evaluate(s, app.DefaultOptions(), now) }
	b.Run("evaluate", func(b *testing.B) {
		for b.Loop() {
			_ = evaluate(s, now)
		}
	})
	b.Run("scrubbed-absent", func(b *testing.B) {
		scrub := secret.New("Pw-not-in-the-document-1")
		for b.Loop() {
			_ = evaluateScrubbed(evaluate, s, now, scrub)
		}
	})
	b.Run("scrubbed-present", func(b *testing.B) {
		scrub := secret.New("bitrix")
		for b.Loop() {
			_ = evaluateScrubbed(evaluate, s, now, scrub)
		}
	})
}
