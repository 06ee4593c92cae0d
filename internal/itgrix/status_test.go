package itgrix

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseVendorFixtures(t *testing.T) {
	body, err := os.ReadFile("../../testdata/status/bx-healthy.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"app_status", s.AppStatus.Ok() && s.AppStatus.Value == "Ok"},
		{"app_state", s.AppState.Ok() && s.AppState.Value == ""},
		{"app_err", s.AppErr.Ok() && s.AppErr.Value == ""},
		{"license", s.License.Ok()},
		{"license.type", s.LicenseType.Value == "Professional"},
		{"license.valid_till", s.LicenseValid.Value == "2027-05-11"},
		{"crm_type", s.CRMType.Value == "bitrix"},
		{"crm.host", s.CRMHost.Value == "https://pbx-demo.bitrix24.example"},
		{"crm.on", s.CRMOn.Ok() && s.CRMOn.Value},
		{"connector.on", s.ConnectorOn.Ok() && s.ConnectorOn.Value},
		{"connector.app_type", s.ConnectorAppType.Value == "LicenseType_Professional"},
		{"c2c", s.C2COn.Value && s.C2CConnected.Value},
		{"users_cache", s.Users.Value == 57 && s.Phones.Value == 42 && s.UsersUpdated.Value.Raw == "2026-11-20 09:14:02.117 +03:00" &&
			s.UsersUpdated.Value.Equal(time.Date(2026, 11, 20, 6, 14, 2, 117e6, time.UTC))},
		{"manager.on", s.ManagerOn.Ok() && s.ManagerOn.Value},
		{"queues", s.CallsQueue.Ok() && s.CallsQueue.Value == 0 && s.CallsStorage.Value == 3 && s.BatchQueue.Ok()},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s not read as expected: %+v", c.name, s)
		}
	}
}

func TestParseNotADocument(t *testing.T) {
	cases := map[string]string{
		"":                           "empty body",
		"   \n":                      "empty body",
		"null":                       "status document is null, expected a JSON object",
		"[1,2]":                      "status document is an array, expected a JSON object",
		`"Ok"`:                       "status document is a string, expected a JSON object",
		"42":                         "status document is a number, expected a JSON object",
		"true":                       "status document is a boolean, expected a JSON object",
		`{"app_status":"Ok"`:         "body is not valid JSON: unexpected end of JSON input",
		"<html><body>500</body>":     "body is HTML, not a JSON status document",
		`{"a":1} trailing`:           "body is not valid JSON",
		strings.Repeat("[", 100000):  "body is not valid JSON",
		"\xef\xbb\xbf":               "empty body",
		`{"app_status":"Ok",}`:       "body is not valid JSON",
		"{\"app_status\":\"\xff\"}x": "body is not valid JSON",
	}
	for in, want := range cases {
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%.40q): %v, want %q", in, err, want)
		}
	}
}

func TestParseTolerance(t *testing.T) {
	// A byte-order mark, unknown elements at every level, and app_* found
	// inside "app" when the top level lacks them.
	s, err := Parse([]byte("\xef\xbb\xbf" + `{"new_top":{"x":[1,2]},"app":{"app_status":"Warning","app_state":"restarting","app_err":"e","future":true,
		"calls_queue":{"calls":5,"new":"x"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.AppStatus.Value != "Warning" || s.AppState.Value != "restarting" || s.AppErr.Value != "e" || s.CallsQueue.Value != 5 {
		t.Errorf("%+v", s)
	}
	// The top level wins over "app".
	s, _ = Parse([]byte(`{"app_status":"Error","app":{"app_status":"Ok"}}`))
	if s.AppStatus.Value != "Error" || s.AppStatus.Path != "app_status" {
		t.Errorf("top level not preferred: %+v", s.AppStatus)
	}
	// null at the top level counts as present-but-null, not a reason to look in app.
	s, _ = Parse([]byte(`{"app_status":null,"app":{"app_status":"Ok"}}`))
	if s.AppStatus.Is != Null {
		t.Errorf("null app_status: %+v", s.AppStatus)
	}
}

func TestElementProblems(t *testing.T) {
	s, err := Parse([]byte(`{"app_status":1,"app_state":null,"license":{"type":["Pro"]},
		"app":{"calls_queue":{"calls":"3"},"calls_storage":[],"crm":{"on":"yes","users_cache":null}}}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		got, want string
	}{
		{s.AppStatus.Problem(), "app_status is a number, expected a string"},
		{s.AppState.Problem(), "app_state is null"},
		{s.AppErr.Problem(), "app_err is missing"},
		{s.LicenseType.Problem(), "license.type is an array, expected a string"},
		{s.LicenseValid.Problem(), "license.valid_till is missing"},
		{s.CallsQueue.Problem(), "app.calls_queue.calls is a string, expected a number"},
		{s.CallsStorage.Problem(), "app.calls_storage.calls is missing"},
		{s.CRMOn.Problem(), "app.crm.on is a string, expected a boolean"},
		{s.Users.Problem(), "app.crm.users_cache.users is missing"},
		{s.License.Problem(), ""},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestParseLargeNumbersAndDuplicates(t *testing.T) {
	s, err := Parse([]byte(`{"app_status":"Ok","app_status":"Error","app":{"calls_queue":{"calls":1e308}}}`))
	if err != nil {
		t.Fatal(err)
	}
	// encoding/json keeps the last duplicate, as most JSON readers do.
	if s.AppStatus.Value != "Error" || s.CallsQueue.Value != 1e308 {
		t.Errorf("%+v %+v", s.AppStatus, s.CallsQueue)
	}
	s, err = Parse([]byte(`{"app_status":"Ok","app":{"calls_queue":{"calls":1e999}}}`))
	if err != nil || s.CallsQueue.Problem() != "app.calls_queue.calls is out of range, expected a number" {
		t.Errorf("out-of-range number: %v %+v", err, s.CallsQueue)
	}
}

// TestNotAStatusDocument: a JSON object with none of the elements every
// status document has is refused by the reader, for both checks alike.
func TestNotAStatusDocument(t *testing.T) {
	for _, in := range []string{`{}`, `{"error":"unauthorized"}`, `{"app":{"calls_queue":{"calls":4}}}`} {
		_, err := Parse([]byte(in))
		var de *DocumentError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "not an Itgrix status document") {
			t.Errorf("Parse(%s): %v", in, err)
		}
	}
	for _, in := range []string{`{"app_status":null}`, `{"app":{"app_state":""}}`, `{"license":{}}`} {
		if _, err := Parse([]byte(in)); err != nil {
			t.Errorf("Parse(%s): %v", in, err)
		}
	}
}

func TestTimestamp(t *testing.T) {
	cases := []struct {
		in      string
		is      Presence
		want    time.Time
		problem string
	}{
		{`"2026-11-20 09:14:02.117 +03:00"`, Present, time.Date(2026, 11, 20, 6, 14, 2, 117e6, time.UTC), ""},
		{`"2026-11-20 09:14:02 +03:00"`, Present, time.Date(2026, 11, 20, 6, 14, 2, 0, time.UTC), ""},
		{`"2026-11-20T09:14:02.5Z"`, Present, time.Date(2026, 11, 20, 9, 14, 2, 5e8, time.UTC), ""},
		{`" 2026-11-20T09:14:02Z "`, Present, time.Date(2026, 11, 20, 9, 14, 2, 0, time.UTC), ""},
		{`"yesterday"`, Invalid, time.Time{}, `app.crm.users_cache.last_updated "yesterday" is not a timestamp`},
		{`""`, Invalid, time.Time{}, `app.crm.users_cache.last_updated "" is not a timestamp`},
		{`"2026-11-20"`, Invalid, time.Time{}, "is not a timestamp"},
		{`1732000000`, Mistyped, time.Time{}, "app.crm.users_cache.last_updated is a number, expected a timestamp"},
		{`null`, Null, time.Time{}, "app.crm.users_cache.last_updated is null"},
	}
	for _, c := range cases {
		s, err := Parse([]byte(`{"app_status":"Ok","app":{"crm":{"users_cache":{"last_updated":` + c.in + `}}}}`))
		if err != nil {
			t.Fatal(err)
		}
		e := s.UsersUpdated
		if e.Is != c.is || !e.Value.Equal(c.want) || !strings.Contains(e.Problem(), c.problem) || (c.problem == "") != (e.Problem() == "") {
			t.Errorf("%s: %+v, problem %q", c.in, e, e.Problem())
		}
	}
}

// TestWrongListsEveryDeclaredElement: the list of elements the reader
// could not take comes from the schema, not from a list kept by hand.
func TestWrongListsEveryDeclaredElement(t *testing.T) {
	s, err := Parse([]byte(`{"app_status":1,"app_state":null,"license":{"type":["Pro"]},
		"app":{"calls_queue":{"calls":"3"},"c2c":{"on":1},"crm":{"on":"yes","manager":{"on":"no"},"users_cache":{"last_updated":"soon"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Wrong("app_status")
	want := []string{
		"license.type is an array, expected a string",
		"app.crm.on is a string, expected a boolean",
		"app.crm.manager.on is a string, expected a boolean",
		"app.c2c.on is a number, expected a boolean",
		`app.crm.users_cache.last_updated "soon" is not a timestamp (YYYY-MM-DD hh:mm:ss.sss +hh:mm or RFC 3339)`,
		"app.calls_queue.calls is a string, expected a number",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Every field of Status is in the schema with a path.
	if len(schema()) != reflect.TypeOf(Status{}).NumField() {
		t.Errorf("schema has %d fields, Status %d", len(schema()), reflect.TypeOf(Status{}).NumField())
	}
	for _, f := range schema() {
		if f.path == "" {
			t.Errorf("field %d has no path", f.index)
		}
	}
}

// TestDocumentErrorShown: what the JSON parser quotes of the body is
// redacted when shown; the message's own words never are.
func TestDocumentErrorShown(t *testing.T) {
	redact := func(s string) string { return strings.ReplaceAll(s, "e", "***") }
	cases := []struct{ body, want string }{
		{"e-not-json", `body is not JSON, it starts "***-not-json"`},
		{"Unauthorized\r\n\r\nthe rest", `body is not JSON, it starts "Unauthoriz***d"`},
		{"  401\tUnauthorized\x1b[31m |x", `body is not JSON, it starts "401 Unauthoriz***d [31m |x"`},
		{strings.Repeat("Forbidd ", 10), `body is not JSON, it starts "Forbidd Forbidd Forbidd Forbidd Forbidd..."`},
		{"{'e': 1}", `body is not valid JSON: invalid character '\'' looking for beginning of object key string`},
		{`{"a": 1`, "body is not valid JSON: unexpected end of JSON input"},
		{"", "empty body, expected a JSON status document"},
		{"<html>e</html>", "body is HTML, not a JSON status document"},
		{`"e"`, "status document is a string, expected a JSON object"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.body))
		var de *DocumentError
		if !errors.As(err, &de) {
			t.Fatalf("%q: %v, want a DocumentError", c.body, err)
		}
		if got := de.Message().Text(redact); got != c.want {
			t.Errorf("%q: %q, want %q", c.body, got, c.want)
		}
	}
	// A password that starts in the part shown and runs past it is
	// redacted whole before the cut, never shown in part.
	pw := strings.Repeat("p", 4096)
	_, err := Parse([]byte("denied for " + pw + " and more"))
	var de *DocumentError
	if !errors.As(err, &de) {
		t.Fatal(err)
	}
	got := de.Message().Text(func(s string) string { return strings.ReplaceAll(s, pw, "***") })
	if got != `body is not JSON, it starts "denied for *** and more"` {
		t.Errorf("long password: %q", got)
	}
}

// TestScrubbedReachesEveryString fills every string in a Status, whatever
// the field is called, with the secret, and finds none after Scrubbed.
func TestScrubbedReachesEveryString(t *testing.T) {
	const secret = "hunter2"
	var s Status
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			v.SetString("x " + secret + " y")
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if v.Field(i).CanSet() {
					fill(v.Field(i))
				}
			}
		}
	}
	fill(reflect.ValueOf(&s).Elem())
	for _, is := range []Presence{Present, Invalid} {
		in := s
		v := reflect.ValueOf(&in).Elem()
		for i := 0; i < v.NumField(); i++ {
			v.Field(i).FieldByName("Is").SetInt(int64(is))
		}
		out, changed := in.Scrubbed(func(x string) string { return strings.ReplaceAll(x, secret, "***") })
		if !changed {
			t.Errorf("%v: nothing changed", is)
		}
		var find func(path string, v reflect.Value)
		find = func(path string, v reflect.Value) {
			switch v.Kind() {
			case reflect.String:
				if strings.Contains(v.String(), secret) && !strings.HasSuffix(path, ".Path") {
					t.Errorf("%v: %s still holds the secret", is, path)
				}
			case reflect.Struct:
				for i := 0; i < v.NumField(); i++ {
					if v.Type().Field(i).IsExported() {
						find(path+"."+v.Type().Field(i).Name, v.Field(i))
					}
				}
			}
		}
		find("Status", reflect.ValueOf(out).Elem())
		if in.AppErr.Value != "x "+secret+" y" {
			t.Error("Scrubbed changed the status it was given")
		}
	}
}
