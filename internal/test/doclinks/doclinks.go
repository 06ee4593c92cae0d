// Package doclinks checks the relative links of the project's Markdown
// documents as GitHub renders them: the file or directory a link names
// must exist, and a #fragment must be the slug of a heading in the target
// document. The installed documentation keeps the source tree's layout, so
// links that hold here hold there too (.ci/test-package-docs checks that
// the packages install every document).
package doclinks

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Problem is one link that does not resolve.
type Problem struct {
	File   string // the document, relative to the root
	Line   int
	Target string // the link as written
	Reason string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: link %s: %s", p.File, p.Line, p.Target, p.Reason)
}

var (
	// An inline link or image: ](target) or ](target "title").
	inlineLink = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	// A reference definition: [label]: target
	refDef    = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?`)
	heading   = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	htmlID    = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)
	codeSpan  = regexp.MustCompile("`+[^`]*`+")
	linkText  = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	htmlTag   = regexp.MustCompile(`<[^>]+>`)
	hasScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// Slug is the anchor GitHub gives a heading: the heading's text as
// rendered, in lower case, without punctuation other than '-' and '_',
// spaces turned into '-'.
func Slug(text string) string {
	text = linkText.ReplaceAllString(text, "$1")
	text = codeSpan.ReplaceAllStringFunc(text, func(s string) string { return strings.Trim(s, "`") })
	text = htmlTag.ReplaceAllString(text, "")
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// document is a Markdown file read once: its links and its anchors.
type document struct {
	links   []link
	anchors map[string]bool
}

type link struct {
	line   int
	target string
}

// parse reads the links and anchors of a document, leaving out fenced
// code blocks and code spans, as GitHub does. Repeated headings get -1,
// -2, ... as on GitHub.
func parse(text string) document {
	d := document{anchors: map[string]bool{}}
	seen := map[string]int{}
	fence := ""
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			continue
		}
		for _, m := range htmlID.FindAllStringSubmatch(line, -1) {
			d.anchors[m[1]] = true
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			s := Slug(m[2])
			if n := seen[s]; n > 0 {
				d.anchors[s+"-"+strconv.Itoa(n)] = true
			} else {
				d.anchors[s] = true
			}
			seen[s]++
		}
		plain := codeSpan.ReplaceAllString(line, "code")
		for _, m := range inlineLink.FindAllStringSubmatch(plain, -1) {
			d.links = append(d.links, link{i + 1, m[1]})
		}
		if m := refDef.FindStringSubmatch(plain); m != nil {
			d.links = append(d.links, link{i + 1, m[1]})
		}
	}
	return d
}

// Check reads the documents (paths relative to root) and returns every
// relative link among them that does not resolve. A fragment into a
// Markdown file must name one of its headings; a fragment into another
// kind of file is not checked.
func Check(root string, files []string) ([]Problem, error) {
	cache := map[string]document{}
	load := func(rel string) (document, error) {
		if d, ok := cache[rel]; ok {
			return d, nil
		}
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return document{}, err
		}
		d := parse(string(data))
		cache[rel] = d
		return d, nil
	}
	var problems []Problem
	for _, file := range files {
		d, err := load(file)
		if err != nil {
			return nil, err
		}
		for _, l := range d.links {
			if hasScheme.MatchString(l.target) {
				continue
			}
			bad := func(reason string) {
				problems = append(problems, Problem{File: file, Line: l.line, Target: l.target, Reason: reason})
			}
			path, fragment, _ := strings.Cut(l.target, "#")
			target := file
			if path != "" {
				if strings.HasPrefix(path, "/") {
					bad("absolute path: GitHub and the installed docs resolve it differently")
					continue
				}
				target = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(file), path)))
				if target == ".." || strings.HasPrefix(target, "../") {
					bad("points outside the tree")
					continue
				}
				if _, err := os.Stat(filepath.Join(root, target)); err != nil {
					bad("no such file or directory")
					continue
				}
			}
			if fragment == "" || !strings.HasSuffix(target, ".md") {
				continue
			}
			td, err := load(target)
			if err != nil {
				bad(err.Error())
				continue
			}
			if !td.anchors[fragment] {
				bad("no heading with the anchor #" + fragment + " in " + target)
			}
		}
	}
	return problems, nil
}
