package cli

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/secret"
)

// argSecrets are the password candidates before the flags are parsed: what
// follows -P/--password on the command line and $ITGRIX_PASSWORD. They
// scrub the parser's own error messages, which echo arguments.
func argSecrets(env Env) secret.Scrubber {
	var s []string
	if p := env.Getenv("ITGRIX_PASSWORD"); p != "" {
		s = append(s, p)
	}
	for i, a := range env.Args {
		if a == "--" {
			break
		}
		switch {
		case (a == "-P" || a == "--password") && i+1 < len(env.Args):
			s = append(s, env.Args[i+1])
		case strings.HasPrefix(a, "--password="):
			s = append(s, strings.TrimPrefix(a, "--password="))
		case len(a) > 1 && a[0] == '-' && a[1] != '-':
			// A cluster of short flags: boolean ones, then P and the
			// password, attached ("-vPpw", "-P=pw") or as the next argument.
			flags, pw, ok := strings.Cut(a[1:], "P")
			if !ok || strings.Trim(flags, "vSk") != "" {
				continue
			}
			if pw = strings.TrimPrefix(pw, "="); pw != "" {
				s = append(s, pw)
			} else if i+1 < len(env.Args) {
				s = append(s, env.Args[i+1])
			}
		}
	}
	return secret.New(s...)
}

// resolvePassword is the one place the password is decided: -P, else
// --password-file, else $ITGRIX_PASSWORD. It runs once, as soon as the
// command line is checked and first inside the -t budget (the file may be
// a FIFO), and adds the file's password to o.scrub the moment it is read;
// -P and the variable are secrets from parsing on, used or not.
func (o *options) resolvePassword(ctx context.Context, env Env) (string, error) {
	switch {
	case o.passwordFile != "":
		p, err := readPasswordFile(ctx, o.passwordFile, o.timeout.String())
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

var stringElem = reflect.TypeFor[itgrix.Elem[string]]()

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
		f := v.FieldByName("Value")
		if scrub.Any(f.String()) {
			f.SetString(scrub.Scrub(f.String()))
			return true
		}
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
