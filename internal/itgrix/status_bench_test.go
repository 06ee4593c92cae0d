package itgrix

import (
	"os"
	"strings"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	body, err := os.ReadFile("../../testdata/status/bx-healthy.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse1MB: a document padded with an element nobody reads, to
// show the cost stays linear in the body size.
func BenchmarkParse1MB(b *testing.B) {
	body := []byte(`{"app_status":"Ok","app_state":"","padding":"` + strings.Repeat("x", 1<<20) + `","app":{"calls_queue":{"calls":1}}}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}
