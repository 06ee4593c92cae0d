package doclinks

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// root is the checkout's top level, three levels up from this package.
const root = "../../.."

// documents are the project's Markdown documents: the front page, the
// contributor's guide and every page in docs/.
func documents(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md", "CONTRIBUTING.md"}
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		files = append(files, filepath.ToSlash(filepath.Join("docs", filepath.Base(p))))
	}
	var out []string
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			out = append(out, f)
		}
	}
	if !slices.Contains(out, "README.md") || len(out) < 3 {
		t.Fatalf("found only %v under %s: is the test running in its package directory?", out, root)
	}
	return out
}

// TestDocumentLinks: every relative link in the project's documents names
// a file or directory of the tree, and every #anchor a heading of its
// document, with GitHub's slugs.
func TestDocumentLinks(t *testing.T) {
	files := documents(t)
	problems, err := Check(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	links := 0
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		links += len(parse(string(data)).links)
	}
	if links < 10 {
		t.Errorf("found only %d links in %v: the link reader is broken", links, files)
	}
}

func TestSlug(t *testing.T) {
	for _, c := range []struct{ heading, want string }{
		{"Trying thresholds", "trying-thresholds"},
		{"Decisions where the contract is silent", "decisions-where-the-contract-is-silent"},
		{"A fleet on one poller: `make bench-fleet`", "a-fleet-on-one-poller-make-bench-fleet"},
		{"Itgrix connector (`check_itgrix_app`)", "itgrix-connector-check_itgrix_app"},
		{"1. Choose where the checks run", "1-choose-where-the-checks-run"},
		{"3a. Icinga 2, configuration files", "3a-icinga-2-configuration-files"},
		{"The opt-in alerts: users cache, storage, batch queue, CRM and click-to-call", "the-opt-in-alerts-users-cache-storage-batch-queue-crm-and-click-to-call"},
		{"itgrix-sim", "itgrix-sim"},
		{"Per-process results (`make bench`)", "per-process-results-make-bench"},
		{"Files and limits / `ulimit -n`", "files-and-limits--ulimit--n"},
		{"See [the guide](docs/x.md) now", "see-the-guide-now"},
		{"Itgrix bx ≥ 3.6.0", "itgrix-bx--360"},
		{"Лицензия Itgrix", "лицензия-itgrix"},
	} {
		if got := Slug(c.heading); got != c.want {
			t.Errorf("Slug(%q) = %q, want %q", c.heading, got, c.want)
		}
	}
}

// TestCheckFindsBrokenLinks: each kind of broken link is reported, and
// what GitHub resolves is not.
func TestCheckFindsBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", strings.Join([]string{
		"# Top",
		"## Install",
		"## Install",
		"[ok file](docs/guide.md) [ok anchor](docs/guide.md#a-fleet-make-bench) [ok self](#install)",
		"[ok repeated heading](#install-1) [ok dir](contrib) [ok image](docs/img/x.png)",
		"[![ok nested](docs/img/x.png)](docs/img/x.png) [ok html anchor](docs/guide.md#custom)",
		"[ok external](https://example.net/missing#nowhere) [ok other fragment](contrib/a.conf#L3)",
		"[missing file](docs/nope.md)",
		"[missing anchor](docs/guide.md#no-such-heading)",
		"[missing self anchor](#install-2)",
		"[outside](../other/README.md)",
		"[absolute](/etc/passwd)",
		"`[in code](docs/nope.md)`",
		"```",
		"[in a fence](docs/nope.md)",
		"## Fenced heading",
		"```",
		"[fenced heading](#fenced-heading)",
		"[ref]: docs/missing-ref.md",
	}, "\n"))
	write("docs/guide.md", "# Guide\n\n## A fleet: `make bench`\n\n<a id=\"custom\"></a>\n\n[back](../README.md#top)\n")
	write("docs/img/x.png", "")
	write("contrib/a.conf", "")

	problems, err := Check(dir, []string{"README.md", "docs/guide.md"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.Target)
	}
	want := []string{"docs/nope.md", "docs/guide.md#no-such-heading", "#install-2", "../other/README.md",
		"/etc/passwd", "#fenced-heading", "docs/missing-ref.md"}
	if !slices.Equal(got, want) {
		t.Errorf("reported %q\nwant     %q", got, want)
	}
	if len(problems) > 0 && problems[0].Line != 8 {
		t.Errorf("first problem on line %d, want 8: %v", problems[0].Line, problems[0])
	}
}
