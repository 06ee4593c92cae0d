// Package icingaconf reads the subset of the Icinga 2 configuration
// language that contrib/icinga2 is written in: object, template and apply
// blocks holding imports, assignments (=, +=, dotted names such as
// vars.x), strings, numbers, durations, booleans, arrays, dictionaries and
// Constant + "string" concatenations. Tests use it to hold other
// renderings of the same objects (the Icinga Director basket) to the
// files Icinga itself loads. Anything outside the subset is an error, so a
// construct the reader does not know cannot be skipped silently.
package icingaconf

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Block is one object, template or apply rule.
type Block struct {
	Kind    string // "object", "template" or "apply"
	Type    string // CheckCommand, Service, ...
	Name    string
	Imports []string
	// Attrs maps an attribute path ("vars.itgrix_port", "arguments") to
	// its value; a += on a dictionary merges into what is already there.
	Attrs map[string]any
	// Where holds the text of "assign where" and "ignore where" lines.
	Where []string
}

// Ref is a bare name used as a value, such as host.name.
type Ref string

// Concat is a Constant + "string" expression such as PluginDir + "/x".
type Concat struct {
	Const, Suffix string
}

// Parse reads a configuration file's text.
func Parse(src string) ([]Block, error) {
	p := &parser{toks: nil}
	if err := p.lex(src); err != nil {
		return nil, err
	}
	var out []Block
	for !p.eof() {
		b, err := p.block()
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

type token struct {
	kind string // "str", "word", "num", "punct", "eol"
	text string
	line int
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) lex(src string) error {
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			p.toks = append(p.toks, token{"eol", "\n", line})
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return fmt.Errorf("line %d: unterminated comment", line)
			}
			line += strings.Count(src[i:i+2+end], "\n")
			i += end + 4
		case strings.HasPrefix(src[i:], "//") || c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\n' {
					return fmt.Errorf("line %d: newline in string", line)
				}
				if src[j] == '\\' && j+1 < len(src) {
					j++
					switch src[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(src[j])
					}
					continue
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return fmt.Errorf("line %d: unterminated string", line)
			}
			p.toks = append(p.toks, token{"str", b.String(), line})
			i = j + 1
		case strings.HasPrefix(src[i:], "+="):
			p.toks = append(p.toks, token{"punct", "+=", line})
			i += 2
		case strings.ContainsRune("{}[]=,;+!", rune(c)):
			p.toks = append(p.toks, token{"punct", string(c), line})
			i++
		case unicode.IsDigit(rune(c)):
			j := i
			for j < len(src) && (unicode.IsDigit(rune(src[j])) || src[j] == '.' || unicode.IsLetter(rune(src[j]))) {
				j++
			}
			p.toks = append(p.toks, token{"num", src[i:j], line})
			i = j
		case unicode.IsLetter(rune(c)) || c == '_':
			j := i
			for j < len(src) && (unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j])) || src[j] == '_' || src[j] == '.') {
				j++
			}
			p.toks = append(p.toks, token{"word", src[i:j], line})
			i = j
		default:
			// Operators of assign-where expressions (&&, ||, ==, ...) are
			// kept as punctuation; only "where" lines may hold them.
			p.toks = append(p.toks, token{"punct", string(c), line})
			i++
		}
	}
	return nil
}

func (p *parser) skipEOL() {
	for p.pos < len(p.toks) && (p.toks[p.pos].kind == "eol" || p.toks[p.pos].text == ";") {
		p.pos++
	}
}

func (p *parser) eof() bool {
	p.skipEOL()
	return p.pos >= len(p.toks)
}

func (p *parser) next() (token, error) {
	if p.pos >= len(p.toks) {
		return token{}, fmt.Errorf("unexpected end of file")
	}
	t := p.toks[p.pos]
	p.pos++
	return t, nil
}

func (p *parser) expect(kind, text string) (token, error) {
	t, err := p.next()
	if err != nil {
		return t, err
	}
	if t.kind != kind || (text != "" && t.text != text) {
		return t, fmt.Errorf("line %d: want %s %q, got %q", t.line, kind, text, t.text)
	}
	return t, nil
}

func (p *parser) block() (Block, error) {
	kind, err := p.expect("word", "")
	if err != nil {
		return Block{}, err
	}
	if kind.text != "object" && kind.text != "template" && kind.text != "apply" {
		return Block{}, fmt.Errorf("line %d: %q outside the subset (object, template, apply)", kind.line, kind.text)
	}
	typ, err := p.expect("word", "")
	if err != nil {
		return Block{}, err
	}
	name, err := p.expect("str", "")
	if err != nil {
		return Block{}, err
	}
	b := Block{Kind: kind.text, Type: typ.text, Name: name.text, Attrs: map[string]any{}}
	if _, err := p.expect("punct", "{"); err != nil {
		return b, err
	}
	for {
		p.skipEOL()
		t, err := p.next()
		if err != nil {
			return b, err
		}
		switch {
		case t.text == "}":
			return b, nil
		case t.kind == "word" && t.text == "import":
			s, err := p.expect("str", "")
			if err != nil {
				return b, err
			}
			b.Imports = append(b.Imports, s.text)
		case t.kind == "word" && (t.text == "assign" || t.text == "ignore"):
			var parts []string
			for p.pos < len(p.toks) && p.toks[p.pos].kind != "eol" {
				tk := p.toks[p.pos]
				if tk.kind == "str" {
					parts = append(parts, strconv.Quote(tk.text))
				} else {
					parts = append(parts, tk.text)
				}
				p.pos++
			}
			b.Where = append(b.Where, t.text+" "+strings.Join(parts, " "))
		case t.kind == "word":
			op, err := p.next()
			if err != nil {
				return b, err
			}
			if op.text != "=" && op.text != "+=" {
				return b, fmt.Errorf("line %d: want = or += after %s", op.line, t.text)
			}
			v, err := p.value()
			if err != nil {
				return b, err
			}
			if old, ok := b.Attrs[t.text].(map[string]any); ok && op.text == "+=" {
				if add, ok := v.(map[string]any); ok {
					for k, x := range add {
						old[k] = x
					}
					continue
				}
			}
			b.Attrs[t.text] = v
		default:
			return b, fmt.Errorf("line %d: unexpected %q in %s %q", t.line, t.text, b.Type, b.Name)
		}
	}
}

func (p *parser) value() (any, error) {
	p.skipNewlines()
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	switch {
	case t.kind == "str":
		return t.text, nil
	case t.kind == "num":
		return number(t)
	case t.kind == "word" && (t.text == "true" || t.text == "false"):
		return t.text == "true", nil
	case t.kind == "word" && !p.peek("+"):
		return Ref(t.text), nil
	case t.kind == "word":
		p.pos++
		s, err := p.expect("str", "")
		if err != nil {
			return nil, err
		}
		return Concat{t.text, s.text}, nil
	case t.text == "[":
		var arr []any
		for {
			p.skipNewlines()
			if p.peek("]") {
				p.pos++
				return arr, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
			p.skipNewlines()
			if p.peek(",") {
				p.pos++
			}
		}
	case t.text == "{":
		dict := map[string]any{}
		for {
			p.skipEOL()
			k, err := p.next()
			if err != nil {
				return nil, err
			}
			if k.text == "}" && k.kind == "punct" {
				return dict, nil
			}
			if k.kind != "str" && k.kind != "word" {
				return nil, fmt.Errorf("line %d: dictionary key %q", k.line, k.text)
			}
			if _, err := p.expect("punct", "="); err != nil {
				return nil, err
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			dict[k.text] = v
		}
	}
	return nil, fmt.Errorf("line %d: value %q outside the subset", t.line, t.text)
}

func (p *parser) skipNewlines() {
	for p.pos < len(p.toks) && p.toks[p.pos].kind == "eol" {
		p.pos++
	}
}

func (p *parser) peek(punct string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == "punct" && p.toks[p.pos].text == punct
}

// number reads an integer or a duration (30s, 5m, 1h) as seconds.
func number(t token) (any, error) {
	if n, err := strconv.ParseFloat(t.text, 64); err == nil {
		return n, nil
	}
	d, err := time.ParseDuration(t.text)
	if err != nil {
		return nil, fmt.Errorf("line %d: number %q", t.line, t.text)
	}
	return d.Seconds(), nil
}

// Find returns the block of a kind, type and name.
func Find(blocks []Block, kind, typ, name string) (Block, bool) {
	for _, b := range blocks {
		if b.Kind == kind && b.Type == typ && b.Name == name {
			return b, true
		}
	}
	return Block{}, false
}

// Text renders a value as one string, so that values read from other
// sources (JSON, where numbers and booleans may arrive as strings) can be
// compared with it: numbers without trailing zeros, arrays as [a, b].
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return fmt.Sprintf("%g", x)
	case string:
		return x
	case Ref:
		return string(x)
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, Text(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
