package check

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Message is text for the plugin's output that knows which of its parts
// came from outside: what the server sent (header values, a library's
// error text), what the user typed (a URL, a host, a file or section name,
// a flag's value) and what a recovered panic says. Everything else is the
// plugin's own words. Only the outside parts are scrubbed when the
// message is shown (Text), each before it is cut or quoted, so no form of
// the password survives and a password that is one of our words ("e",
// "password", "status") never garbles the sentence. Package secret holds
// the policy; the type lives here, beside the sanitising, cutting and
// quoting it must come before, so that every package that words a message
// (check's own parsers too) can build one.
type Message struct {
	parts []part
}

type part struct {
	text    string
	outside bool
	// shape cuts or rewrites an outside part once scrubbed (a header
	// value cut to 80 bytes, the last clause of a transport error).
	shape func(string) string
	// verb formats an outside part once scrubbed and shaped ("%q"); ""
	// is the text as it is.
	verb string
}

// Ours marks a string argument of Say or Errorf as the plugin's own words:
// a flag's name, a constant, a number we formatted. Unmarked strings are
// outside text, so a forgotten mark masks too much, never too little.
type Ours string

// shaped is an outside argument with its cut.
type shaped struct {
	text  string
	shape func(string) string
}

// Shaped marks text from outside that shape cuts or rewrites for the
// message; the text is scrubbed first, whole, so a cut cannot leave the
// start of the password behind.
func Shaped(text string, shape func(string) string) any {
	return shaped{text, shape}
}

// Say builds a Message the way fmt.Sprintf builds a string. The format is
// the plugin's own words. Arguments that are strings, errors, byte slices
// or fmt.Stringers are outside text; Ours marks a string as our words;
// numbers and other values are ours. A Message, or an error that tells its
// whole text by one (see MessageError), is spliced in with its marks kept.
// A verb such as %q applies to an outside part after it is scrubbed.
func Say(format string, args ...any) Message {
	m, _, ok := say(format, args...)
	if !ok {
		// Formats are ours and use neither '*' nor '['; should one, the
		// whole text counts as outside: masked too much, never too little.
		return Message{parts: []part{{text: fmt.Sprintf(format, args...), outside: true}}}
	}
	return m
}

// Errorf is Say as an error, as fmt.Errorf: %w arguments are wrapped.
// Handing format and args on to fmt (Say, and fmt.Errorf for a format
// say cannot read, whose text is then scrubbed whole) makes vet check
// every call's format against its arguments.
func Errorf(format string, args ...any) error {
	m, wrapped, ok := say(format, args...)
	if !ok {
		return fmt.Errorf(format, args...)
	}
	return &messageError{m: m, wrapped: wrapped}
}

// say reads format as fmt does; ok is false for a format it cannot read.
func say(format string, args ...any) (m Message, wrapped []error, ok bool) {
	var lit strings.Builder
	next := 0
	for i := 0; i < len(format); {
		if format[i] != '%' {
			lit.WriteByte(format[i])
			i++
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.", format[j]) >= 0 {
			j++
		}
		verb, size := utf8.DecodeRuneInString(format[j:])
		if j >= len(format) || verb == '*' || verb == '[' {
			return Message{}, nil, false
		}
		flags := format[i+1 : j]
		spec := "%" + flags + string(verb)
		i = j + size
		switch {
		case verb == '%':
			lit.WriteByte('%')
			continue
		case next >= len(args):
			lit.WriteString("%!" + string(verb) + "(MISSING)")
			continue
		}
		a := args[next]
		next++
		if verb == 'w' {
			if err, ok := a.(error); ok {
				wrapped = append(wrapped, err)
			}
			spec = "%" + flags + "v"
		}
		m.add(part{text: lit.String()})
		lit.Reset()
		m.arg(spec, a)
	}
	m.add(part{text: lit.String()})
	return m, wrapped, true
}

// arg adds one argument formatted by spec.
func (m *Message) arg(spec string, a any) {
	verb := spec
	if spec == "%s" || spec == "%v" {
		verb = ""
	}
	switch x := a.(type) {
	case Ours:
		m.add(part{text: fmt.Sprintf(spec, string(x))})
	case Message:
		m.splice(x)
	case shaped:
		m.add(part{text: x.text, outside: true, shape: x.shape, verb: verb})
	case string:
		m.add(part{text: x, outside: true, verb: verb})
	case error:
		if told, ok := Told(x); ok {
			m.splice(told)
			return
		}
		m.add(part{text: x.Error(), outside: true, verb: verb})
	case []byte:
		m.add(part{text: string(x), outside: true, verb: verb})
	case fmt.Stringer:
		m.add(part{text: x.String(), outside: true, verb: verb})
	default:
		m.add(part{text: fmt.Sprintf(spec, x)})
	}
}

func (m *Message) add(p part) {
	if p.text == "" && !p.outside {
		return
	}
	m.parts = append(m.parts, p)
}

func (m *Message) splice(o Message) {
	for _, p := range o.parts {
		m.add(p)
	}
}

// Text is the message with scrub applied to each outside part, before
// the part is cut or quoted; the plugin's own words are as written.
func (m Message) Text(scrub func(string) string) string {
	var b strings.Builder
	for _, p := range m.parts {
		if !p.outside {
			b.WriteString(p.text)
			continue
		}
		s := scrub(p.text)
		if p.shape != nil {
			s = p.shape(s)
		}
		if p.verb != "" {
			s = fmt.Sprintf(p.verb, s)
		}
		b.WriteString(s)
	}
	return b.String()
}

// String is the message as told, nothing scrubbed: for errors' Error and
// tests, never for output (see Shown).
func (m Message) String() string { return m.Text(func(s string) string { return s }) }

// MapOutside is the message with f applied to every outside part before
// it is scrubbed, cut or quoted: an ini value hidden wherever the message
// repeats it, whatever the value is.
func (m Message) MapOutside(f func(string) string) Message {
	out := Message{parts: make([]part, len(m.parts))}
	for i, p := range m.parts {
		if p.outside {
			p.text = f(p.text)
		}
		out.parts[i] = p
	}
	return out
}

// MessageError is an error that tells its text by a Message.
type MessageError interface {
	error
	Message() Message
}

// Told is the Message that tells err's whole text: the first in err's
// chain whose text is err's own. A wrapper that adds words of its own
// (fmt.Errorf("...: %w", err)) is told by none.
func Told(err error) (Message, bool) {
	var t MessageError
	if !errors.As(err, &t) {
		return Message{}, false
	}
	m := t.Message()
	return m, m.String() == err.Error()
}

// Shown is err's text for the output: its Message with the outside parts
// scrubbed (see Told); an error told by none (a bug, a library's error
// that slipped through) is scrubbed whole, which garbles at worst and
// never leaks.
func Shown(err error, scrub func(string) string) string {
	if m, ok := Told(err); ok {
		return m.Text(scrub)
	}
	return scrub(err.Error())
}

type messageError struct {
	m       Message
	wrapped []error
}

func (e *messageError) Error() string    { return e.m.String() }
func (e *messageError) Message() Message { return e.m }
func (e *messageError) Unwrap() []error  { return e.wrapped }
