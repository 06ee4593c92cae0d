// Package itgrix knows the Itgrix status endpoint: how to ask it for the
// status document (Digest auth, one deadline, a size cap, failures told
// apart) and how to read the document tolerantly.
package itgrix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Presence says what the document held at an element's path.
type Presence int

// How an element can turn up in a document.
const (
	Missing  Presence = iota // no such key (or a parent is missing)
	Null                     // the key is there with JSON null
	Mistyped                 // the key holds another JSON type than expected
	Present                  // the key holds a value of the expected type
)

// Elem is one element of the status document with its path, so every
// message about it can name it.
type Elem[T any] struct {
	Path  string
	Value T
	Is    Presence
	// Got is the JSON type found when the element is Mistyped.
	Got string
}

// Ok reports whether the element holds a value of the expected type.
func (e Elem[T]) Ok() bool { return e.Is == Present }

// Problem says what is wrong with the element, naming it; "" when it is Present.
func (e Elem[T]) Problem() string {
	switch e.Is {
	case Missing:
		return e.Path + " is missing"
	case Null:
		return e.Path + " is null"
	case Mistyped:
		return fmt.Sprintf("%s is %s, expected %s", e.Path, e.Got, jsonTypeOf(*new(T)))
	}
	return ""
}

// Status is what the checks read from an Itgrix status document. Elements
// the vendor may add later are ignored.
type Status struct {
	AppState  Elem[string]
	AppStatus Elem[string]
	AppErr    Elem[string]

	// License is Missing when the document has no "license" object.
	License      Elem[struct{}]
	LicenseType  Elem[string]
	LicenseValid Elem[string]

	CRMType          Elem[string]
	CRMHost          Elem[string]
	CRMOn            Elem[bool]
	ConnectorOn      Elem[bool]
	ConnectorAppType Elem[string]
	C2COn            Elem[bool]
	C2CConnected     Elem[bool]
	UsersUpdated     Elem[string]

	CallsQueue   Elem[float64]
	CallsStorage Elem[float64]
	BatchQueue   Elem[float64]
	Users        Elem[float64]
	Phones       Elem[float64]
}

// DocumentError says why a body is not a status document at all.
type DocumentError struct{ Reason string }

func (e *DocumentError) Error() string { return e.Reason }

type object map[string]json.RawMessage

// Parse reads a status document. It fails only when the body is not a JSON
// object; every element is then looked up on its own, so a missing or
// mistyped one is reported by name where it matters and ignored elsewhere.
func Parse(body []byte) (*Status, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	var top object
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, &DocumentError{Reason: describeJSONError(body, err)}
	}
	if top == nil {
		return nil, &DocumentError{Reason: "status document is null, expected a JSON object"}
	}
	d := doc{top: top, objects: map[string]object{}}
	var s Status
	// The vendor names app_state, app_status and app_err as top-level
	// elements, but a reader should also find them inside "app".
	s.AppState = topOrApp[string](d, "app_state")
	s.AppStatus = topOrApp[string](d, "app_status")
	s.AppErr = topOrApp[string](d, "app_err")

	s.License = lookup[struct{}](d, "license")
	s.LicenseType = lookup[string](d, "license.type")
	s.LicenseValid = lookup[string](d, "license.valid_till")

	s.CRMType = lookup[string](d, "app.crm_type")
	s.CRMHost = lookup[string](d, "app.crm.host")
	s.CRMOn = lookup[bool](d, "app.crm.on")
	s.ConnectorOn = lookup[bool](d, "app.crm.manager.connector.on")
	s.ConnectorAppType = lookup[string](d, "app.crm.manager.connector.app_type")
	s.C2COn = lookup[bool](d, "app.c2c.on")
	s.C2CConnected = lookup[bool](d, "app.c2c.connected")
	s.UsersUpdated = lookup[string](d, "app.crm.users_cache.last_updated")

	s.CallsQueue = lookup[float64](d, "app.calls_queue.calls")
	s.CallsStorage = lookup[float64](d, "app.calls_storage.calls")
	s.BatchQueue = lookup[float64](d, "app.crm.manager.batch_queue")
	s.Users = lookup[float64](d, "app.crm.users_cache.users")
	s.Phones = lookup[float64](d, "app.crm.users_cache.phones")
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
	if json.Unmarshal(v, &e.Value) != nil {
		// Only a number can be of the right type and still not decode.
		e.Is, e.Got = Mistyped, "out of range"
		return e
	}
	e.Is = Present
	return e
}

func topOrApp[T any](d doc, key string) Elem[T] {
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
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	default:
		return "an object"
	}
}

func describeJSONError(body []byte, err error) string {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return "empty body, expected a JSON status document"
	case trimmed[0] == '<':
		return "body is HTML, not a JSON status document"
	}
	if ute, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("status document is %s, expected a JSON object", jsonTypeName(ute.Value))
	}
	return "body is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")
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
