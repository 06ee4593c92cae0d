package itgrix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: the reader never panics, and when it accepts a body every
// element is in exactly one state with a problem that names it.
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 10m ./internal/itgrix
func FuzzParse(f *testing.F) {
	for _, p := range []string{"../../testdata/status/*.json", "../../testdata/status/*.html"} {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{"", "null", "[]", "{}", `{"app":null}`, `{"app":{"app_status":1}}`, `{"license":[]}`,
		`{"app_status":"Ok","app":{"crm":{"users_cache":{"users":1e400}}}}`, "\xef\xbb\xbf{}", `{"a":` + strings.Repeat("[", 50)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := Parse(body)
		if err != nil {
			if s != nil || err.Error() == "" {
				t.Fatalf("Parse error %q with status %v", err, s)
			}
			return
		}
		for _, p := range []struct {
			path string
			is   Presence
			prob string
		}{
			{s.AppStatus.Path, s.AppStatus.Is, s.AppStatus.Problem()},
			{s.AppState.Path, s.AppState.Is, s.AppState.Problem()},
			{s.LicenseType.Path, s.LicenseType.Is, s.LicenseType.Problem()},
			{s.CallsQueue.Path, s.CallsQueue.Is, s.CallsQueue.Problem()},
			{s.CRMOn.Path, s.CRMOn.Is, s.CRMOn.Problem()},
		} {
			if (p.is == Present) != (p.prob == "") || p.prob != "" && !strings.HasPrefix(p.prob, p.path+" ") {
				t.Fatalf("%s: presence %d, problem %q", p.path, p.is, p.prob)
			}
		}
	})
}
