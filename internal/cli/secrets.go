package cli

import (
	"context"
	"reflect"
	"slices"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/secret"
)

// resolvePassword is the one place the password is decided: -P, else
// --password-file, else $ITGRIX_PASSWORD. It runs once, as soon as the
// command line is checked and first inside the -t budget (the file may be
// a FIFO), and adds the file's password to o.scrub the moment it is read;
// -P and the variable are secrets from parsing on, used or not.
func (o *options) resolvePassword(ctx context.Context, env Env) (string, error) {
	switch {
	case o.passwordFile != "":
		p, err := readPasswordFile(ctx, o.passwordFile, env.Stdin, check.Duration(o.timeout))
		if err != nil {
			return "", err
		}
		o.scrub = o.scrub.With(p)
		return p, nil
	case o.password != "":
		return o.password, nil
	}
	return env.Getenv("ITGRIX_PASSWORD"), nil
}

// evaluateScrubbed evaluates the document with every string the server
// supplied scrubbed, so the password is gone before any evaluator sanitises,
// shortens or quotes it. The state and performance data are those of the
// document as sent: if scrubbing changed them, the password is itself a
// word or a number the check reads (app_status "Error", a date), which the
// output names anyway, and the unscrubbed evaluation stands.
func evaluateScrubbed(evaluate Evaluator, s *itgrix.Status, now time.Time, scrub secret.Scrubber) check.Result {
	clean, changed := scrubStatus(s, scrub)
	if !changed {
		return evaluate(s, now)
	}
	raw := evaluate(s, now)
	r := evaluate(clean, now)
	if r.State != raw.State || !slices.Equal(r.Perf, raw.Perf) {
		return raw
	}
	return r
}

var (
	stringElem = reflect.TypeFor[itgrix.Elem[string]]()
	timestamp  = reflect.TypeFor[itgrix.Timestamp]()
)

func scrubString(f reflect.Value, scrub secret.Scrubber) bool {
	if !scrub.Any(f.String()) {
		return false
	}
	f.SetString(scrub.Scrub(f.String()))
	return true
}

// scrubStatus returns a copy of s with the password scrubbed out of every
// string element, whichever elements the schema holds, and whether any was.
func scrubStatus(s *itgrix.Status, scrub secret.Scrubber) (*itgrix.Status, bool) {
	c := *s
	changed := scrubValue(reflect.ValueOf(&c).Elem(), scrub)
	return &c, changed
}

func scrubValue(v reflect.Value, scrub secret.Scrubber) bool {
	switch {
	case v.Type() == stringElem:
		// Got, the value as written when it was of another type, is
		// server text too.
		changed := scrubString(v.FieldByName("Got"), scrub)
		return scrubString(v.FieldByName("Value"), scrub) || changed
	case v.Type() == timestamp:
		// The timestamp as written is server text; the parsed time is not.
		return scrubString(v.FieldByName("Raw"), scrub)
	case v.Kind() == reflect.Struct && v.FieldByName("Is").IsValid() && v.FieldByName("Is").Interface() == itgrix.Invalid:
		// An Invalid element keeps the value as written in Got.
		changed := scrubString(v.FieldByName("Got"), scrub)
		return scrubValue(v.FieldByName("Value"), scrub) || changed
	case v.Kind() == reflect.Struct:
		changed := false
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				changed = scrubValue(v.Field(i), scrub) || changed
			}
		}
		return changed
	}
	return false
}
