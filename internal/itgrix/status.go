// Package itgrix knows the Itgrix status endpoint: how to ask it for the
// status document (Digest auth, one deadline, a size cap, failures told
// apart) and how to read the document tolerantly.
package itgrix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"check-itgrix/internal/check"
)

// Presence says what the document held at an element's path.
type Presence int

// How an element can turn up in a document.
const (
	Missing  Presence = iota // no such key (or a parent is missing)
	Null                     // the key is there with JSON null
	Mistyped                 // the key holds another JSON type than expected
	Invalid                  // the JSON type is right but the value does not read as one (a timestamp that is not one)
	Present                  // the key holds a value of the expected type
)

// Elem is one element of the status document with its path, so every
// message about it can name it.
type Elem[T any] struct {
	Path  string
	Value T
	Is    Presence
	// Got is the JSON type found when the element is Mistyped, or the
	// value as written (server text) when it is Invalid.
	Got string
}

// Ok reports whether the element holds a value of the expected type.
func (e Elem[T]) Ok() bool { return e.Is == Present }

// Problem says what is wrong with the element, naming it; "" when it is
// Present. It is the one wording of element problems: checks put it in
// line 1 when the element decides a state, in the long output otherwise.
func (e Elem[T]) Problem() string {
	switch e.Is {
	case Missing:
		return e.Path + " is missing"
	case Null:
		return e.Path + " is null"
	case Mistyped:
		return fmt.Sprintf("%s is %s, expected %s", e.Path, e.Got, expected(e.Value))
	case Invalid:
		// Shortened only here, when worded: Got is kept whole so that
		// scrubbing, which runs before evaluation, sees all of it.
		return fmt.Sprintf("%s %s is not %s", e.Path, strconv.Quote(shorten(e.Got, 40)), expected(e.Value))
	}
	return ""
}

// Wrong reports whether the element is there with a value the reader could
// not take (Mistyped or Invalid), as opposed to absent or null.
func (e Elem[T]) Wrong() bool { return e.Is == Mistyped || e.Is == Invalid }

func (e *Elem[T]) read(d doc, path string, topOrApp bool) {
	if topOrApp {
		*e = lookupTopOrApp[T](d, path)
		return
	}
	*e = lookup[T](d, path)
}

func (e Elem[T]) elem() (path, problem string, wrong bool) { return e.Path, e.Problem(), e.Wrong() }

// element is what the reader needs of any Elem, whatever its type.
type element interface {
	elem() (path, problem string, wrong bool)
}

// Timestamp is a point in time written as a string; Raw keeps it as written.
type Timestamp struct {
	time.Time
	Raw string
}

// TimestampLayouts are the layouts a Timestamp is read with: the vendor's
// (fraction optional), then RFC 3339.
var TimestampLayouts = []string{"2006-01-02 15:04:05.999999999 -07:00", time.RFC3339Nano}

func (t *Timestamp) set(s string) bool {
	t.Raw = s
	for _, l := range TimestampLayouts {
		if v, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			t.Time = v
			return true
		}
	}
	return false
}

// Status is what the checks read from an Itgrix status document. Each
// element is declared here once: its Go type says the JSON type expected,
// its tag the dotted path ("top-or-app": looked up at the top level, then
// inside "app"). Parse fills every field from its tag, and Wrong lists the
// elements it could not take, so adding an element is one line here plus
// its presentation in a check. Elements the vendor may add later are ignored.
type Status struct {
	AppState  Elem[string] `itgrix:"app_state,top-or-app"`
	AppStatus Elem[string] `itgrix:"app_status,top-or-app"`
	AppErr    Elem[string] `itgrix:"app_err,top-or-app"`

	// License is Missing when the document has no "license" object.
	License      Elem[struct{}] `itgrix:"license"`
	LicenseType  Elem[string]   `itgrix:"license.type"`
	LicenseValid Elem[string]   `itgrix:"license.valid_till"`

	CRMType          Elem[string]    `itgrix:"app.crm_type"`
	CRMHost          Elem[string]    `itgrix:"app.crm.host"`
	CRMOn            Elem[bool]      `itgrix:"app.crm.on"`
	ManagerOn        Elem[bool]      `itgrix:"app.crm.manager.on"`
	ConnectorOn      Elem[bool]      `itgrix:"app.crm.manager.connector.on"`
	ConnectorAppType Elem[string]    `itgrix:"app.crm.manager.connector.app_type"`
	C2COn            Elem[bool]      `itgrix:"app.c2c.on"`
	C2CConnected     Elem[bool]      `itgrix:"app.c2c.connected"`
	UsersUpdated     Elem[Timestamp] `itgrix:"app.crm.users_cache.last_updated"`

	CallsQueue   Elem[float64] `itgrix:"app.calls_queue.calls"`
	CallsStorage Elem[float64] `itgrix:"app.calls_storage.calls"`
	BatchQueue   Elem[float64] `itgrix:"app.crm.manager.batch_queue"`
	Users        Elem[float64] `itgrix:"app.crm.users_cache.users"`
	Phones       Elem[float64] `itgrix:"app.crm.users_cache.phones"`
}

// schema is Status's fields with their paths, read once from the tags,
// on first use: --help, --version and a usage error never need them.
var schema = sync.OnceValue(func() []field {
	t := reflect.TypeOf(Status{})
	out := make([]field, t.NumField())
	for i := range out {
		path, opt, _ := strings.Cut(t.Field(i).Tag.Get("itgrix"), ",")
		out[i] = field{index: i, path: path, topOrApp: opt == "top-or-app"}
	}
	return out
})

type field struct {
	index    int
	path     string
	topOrApp bool
}

// Wrong lists, in declaration order, the problems of elements present
// with a value the reader could not take, leaving out the paths in skip
// (the ones a check already reports). Checks show them so an operator
// knows why an element is missing from the output.
func (s *Status) Wrong(skip ...string) []string {
	v := reflect.ValueOf(s).Elem()
	var out []string
	for _, f := range schema() {
		path, problem, wrong := v.Field(f.index).Interface().(element).elem()
		if wrong && !slices.Contains(skip, path) {
			out = append(out, problem)
		}
	}
	return out
}

// Scrubbed returns a copy of s with scrub applied to every string the
// server sent: each string element's value, each timestamp as written,
// each value kept as written because it could not be read. It also says
// whether any changed. Parsed times, numbers and booleans are not server
// text and stay. The schema owns this
// list, so an element added to Status is scrubbed without a word
// elsewhere.
func (s *Status) Scrubbed(scrub func(string) string) (*Status, bool) {
	c := *s
	v := reflect.ValueOf(&c).Elem()
	changed := false
	for _, f := range schema() {
		changed = v.Field(f.index).Addr().Interface().(interface {
			scrub(func(string) string) bool
		}).scrub(scrub) || changed
	}
	return &c, changed
}

func (e *Elem[T]) scrub(f func(string) string) bool {
	// Got is the value as written when Invalid; the reader's own words
	// otherwise, scrubbed too, as an unlikely password may be one of them.
	changed := scrubText(&e.Got, f)
	switch v := any(&e.Value).(type) {
	case *string:
		changed = scrubText(v, f) || changed
	case *Timestamp:
		changed = scrubText(&v.Raw, f) || changed
	}
	return changed
}

func scrubText(s *string, f func(string) string) bool {
	c := f(*s)
	if c == *s {
		return false
	}
	*s = c
	return true
}

// DocumentError says why a body is not a status document at all.
type DocumentError struct {
	Reason string
	// Quoted is the part of Reason taken from the body: the character
	// the JSON parser stopped at, in quotes.
	Quoted string
	// Start is the body's beginning as received, for a body that is not
	// JSON at all (an error page saved with curl): the message ends with
	// its first line, sanitised, shortened and in quotes. It is kept long
	// enough that a password beginning in the part shown ends inside it,
	// so scrubbing, which runs before shortening, sees all of it.
	Start string
}

// maxStart is how much of the body Start keeps: the part shown plus the
// longest password the checks read (a --password-file's first 4 KiB).
const maxStart = 8 << 10

// shownStart is how many characters of the body's first line are shown.
const shownStart = 40

func (e *DocumentError) Error() string { return e.Message().String() }

// Message tells the error with what it quotes of the body marked as
// outside text; the rest is the reader's own words.
func (e *DocumentError) Message() check.Message {
	m := check.Say("%s", check.Ours(e.Reason))
	if i := strings.Index(e.Reason, e.Quoted); e.Quoted != "" && i >= 0 {
		m = check.Say("%s%s%s", check.Ours(e.Reason[:i]), e.Quoted, check.Ours(e.Reason[i+len(e.Quoted):]))
	}
	if e.Start != "" {
		m = check.Say(`%s"%s"`, m, check.Shaped(e.Start, func(s string) string {
			first, _, _ := strings.Cut(s, "\n")
			return shorten(plain(first), shownStart)
		}))
	}
	return m
}

// plain makes body text fit in one line of a message: valid UTF-8, no
// control or format characters, runs of white space as one space. The
// output sanitises every line again; this keeps the shortening honest.
func plain(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(s), " ")
}

type object map[string]json.RawMessage

// Parse reads a status document. It fails only when the body is not a JSON
// object, or is an object with none of the elements every Itgrix status
// document has (app_status, app_state, license); every element is then
// looked up on its own, so a missing or mistyped one is reported by name
// where it matters and ignored elsewhere.
func Parse(body []byte) (*Status, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	var top object
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, describeJSONError(body, err)
	}
	if top == nil {
		return nil, &DocumentError{Reason: "status document is null, expected a JSON object"}
	}
	d := doc{top: top, objects: map[string]object{}}
	var s Status
	v := reflect.ValueOf(&s).Elem()
	for _, f := range schema() {
		v.Field(f.index).Addr().Interface().(interface {
			read(doc, string, bool)
		}).read(d, f.path, f.topOrApp)
	}
	if s.AppStatus.Is == Missing && s.AppState.Is == Missing && s.License.Is == Missing {
		return nil, &DocumentError{Reason: "not an Itgrix status document: app_status, app_state and license are missing"}
	}
	return &s, nil
}

// doc walks the document. Each object on a path is decoded once and kept,
// so looking up twenty elements under "app" does not decode "app" twenty
// times (a large body stays linear in its size).
type doc struct {
	top     object
	objects map[string]object
}

// raw returns the JSON at a dotted path, or nil when a key on the way is
// missing or is not an object.
func (d doc) raw(path string) json.RawMessage {
	parent, key := "", path
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		parent, key = path[:i], path[i+1:]
	}
	obj := d.object(parent)
	if obj == nil {
		return nil
	}
	return obj[key]
}

func (d doc) object(path string) object {
	if path == "" {
		return d.top
	}
	if obj, ok := d.objects[path]; ok {
		return obj
	}
	var obj object
	if v := d.raw(path); v != nil && jsonType(v) == "an object" {
		if json.Unmarshal(v, &obj) != nil {
			obj = nil
		}
	}
	d.objects[path] = obj
	return obj
}

func lookup[T any](d doc, path string) Elem[T] {
	e := Elem[T]{Path: path}
	v := d.raw(path)
	if v == nil {
		return e
	}
	got := jsonType(v)
	if got == "null" {
		e.Is = Null
		return e
	}
	if got != jsonTypeOf(e.Value) {
		e.Is, e.Got = Mistyped, got
		return e
	}
	if ts, ok := any(&e.Value).(*Timestamp); ok {
		var raw string
		if json.Unmarshal(v, &raw) != nil || !ts.set(raw) {
			e.Is, e.Got = Invalid, raw
			return e
		}
		e.Is = Present
		return e
	}
	if json.Unmarshal(v, &e.Value) != nil {
		// Only a number can be of the right type and still not decode.
		e.Is, e.Got = Mistyped, "out of range"
		return e
	}
	e.Is = Present
	return e
}

func lookupTopOrApp[T any](d doc, key string) Elem[T] {
	if e := lookup[T](d, key); e.Is != Missing {
		return e
	}
	if e := lookup[T](d, "app."+key); e.Is != Missing {
		return e
	}
	return Elem[T]{Path: key}
}

// jsonType names the JSON type of a raw value by its first byte; the value
// has already been validated by the decoder.
func jsonType(v json.RawMessage) string {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 {
		return "empty"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

func jsonTypeOf(v any) string {
	switch v.(type) {
	case string, Timestamp:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	default:
		return "an object"
	}
}

// expected names what an element of v's type should hold, for Problem.
func expected(v any) string {
	if _, ok := v.(Timestamp); ok {
		return "a timestamp (YYYY-MM-DD hh:mm:ss.sss +hh:mm or RFC 3339)"
	}
	return jsonTypeOf(v)
}

// shorten keeps a quoted server value in a problem short; output
// sanitising happens later, where every line is printed.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n]), " ") + "..."
}

func describeJSONError(body []byte, err error) *DocumentError {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return &DocumentError{Reason: "empty body, expected a JSON status document"}
	case trimmed[0] == '<':
		return &DocumentError{Reason: "body is HTML, not a JSON status document"}
	}
	if ute, ok := err.(*json.UnmarshalTypeError); ok {
		return &DocumentError{Reason: fmt.Sprintf("status document is %s, expected a JSON object", jsonTypeName(ute.Value))}
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		// Not JSON from its first character: the parser would quote that
		// one character ("invalid character 'U'"); the body's own first
		// words ("Unauthorized") say what answered.
		return &DocumentError{Reason: "body is not JSON, it starts ", Start: string(trimmed[:min(len(trimmed), maxStart)])}
	}
	// The parser's words quote at most the character it stopped at:
	// "invalid character 'x' looking for beginning of value".
	cause := strings.TrimPrefix(err.Error(), "json: ")
	e := &DocumentError{Reason: "body is not valid JSON: " + cause}
	if i, j := strings.Index(cause, "'"), strings.LastIndex(cause, "'"); i < j {
		e.Quoted = cause[i : j+1]
	}
	return e
}

func jsonTypeName(v string) string {
	switch v {
	case "array":
		return "an array"
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "bool":
		return "a boolean"
	}
	return v
}
