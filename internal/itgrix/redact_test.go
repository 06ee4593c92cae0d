package itgrix

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestRedactedCoversEveryServerText: whatever elements the schema holds,
// every text the server could have supplied is redacted in the copy, and
// the original is left as it was.
func TestRedactedCoversEveryServerText(t *testing.T) {
	var s Status
	v := reflect.ValueOf(&s).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		f.FieldByName("Is").Set(reflect.ValueOf(Invalid))
		f.FieldByName("Got").SetString("got SECRET")
		switch val := f.FieldByName("Value"); {
		case val.Kind() == reflect.String:
			val.SetString("value SECRET")
		case val.Type() == reflect.TypeOf(Timestamp{}):
			val.Addr().Interface().(*Timestamp).Raw = "raw SECRET"
		}
	}
	c, changed := s.Redacted(func(x string) string { return strings.ReplaceAll(x, "SECRET", "***") })
	if !changed || strings.Contains(fmt.Sprintf("%+v", *c), "SECRET") {
		t.Errorf("changed %v, copy %+v", changed, *c)
	}
	if !strings.Contains(fmt.Sprintf("%+v", s), "SECRET") {
		t.Error("the original was redacted")
	}
	if _, changed := (&Status{}).Redacted(func(x string) string { return strings.ReplaceAll(x, "SECRET", "***") }); changed {
		t.Error("an empty document reported a change")
	}
}
