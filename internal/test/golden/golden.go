// Package golden compares test output with files under the repository's
// testdata/golden directory. Run the tests with UPDATE_GOLDEN=1 to rewrite
// the files after an intended change, then review the diff.
package golden

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Dir is the absolute path of testdata/golden.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "golden")
}

// Assert fails t unless got equals the golden file name (a path below Dir).
func Assert(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join(Dir(), name)
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (run with UPDATE_GOLDEN=1 to create it)", name, err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (UPDATE_GOLDEN=1 rewrites it)\n--- got ---\n%s\n--- want ---\n%s", name, show(got), show(string(want)))
	}
}

// show makes trailing spaces and line ends visible in a failure message.
func show(s string) string {
	return strings.ReplaceAll(s, " \n", "␠\n")
}
