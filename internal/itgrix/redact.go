package itgrix

import "reflect"

// The schema owns which of its texts came from the server: the values of
// string elements, a value as written when it could not be read (Got of an
// Invalid element), and a timestamp as written. Redacted masks those and
// nothing else, so a check never shows a password the server echoed, and
// a field renamed or added here is covered without anyone naming it.

// redactable is an element whose server text can be redacted.
type redactable interface {
	redact(r func(string) string) bool
}

func (e *Elem[T]) redact(r func(string) string) bool {
	changed := false
	if e.Is == Invalid {
		changed = redactText(&e.Got, r)
	}
	switch v := any(&e.Value).(type) {
	case *string:
		changed = redactText(v, r) || changed
	case *Timestamp:
		changed = redactText(&v.Raw, r) || changed
	}
	return changed
}

func redactText(s *string, r func(string) string) bool {
	after := r(*s)
	if after == *s {
		return false
	}
	*s = after
	return true
}

// Redacted returns a copy of s with r applied to every text the server
// supplied, and whether any of them changed.
func (s *Status) Redacted(r func(string) string) (*Status, bool) {
	c := *s
	v := reflect.ValueOf(&c).Elem()
	changed := false
	for _, f := range schema {
		changed = v.Field(f.index).Addr().Interface().(redactable).redact(r) || changed
	}
	return &c, changed
}
