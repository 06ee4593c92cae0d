package cli

import (
	"context"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/secret"
)

// argSecrets are the password candidates before the flags are parsed: what
// follows -P/--password on the command line and $ITGRIX_PASSWORD. They
// scrub the parser's own error messages, which echo arguments.
func argSecrets(env Env, flags flagSet) secret.Scrubber {
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
			// password, attached ("-4vPpw", "-P=pw") or as the next argument.
			for j, r := range a[1:] {
				if r == 'P' {
					if pw := strings.TrimPrefix(a[2+j:], "="); pw != "" {
						s = append(s, pw)
					} else if i+1 < len(env.Args) {
						s = append(s, env.Args[i+1])
					}
					break
				}
				if takes, known := flags.short[r]; !known || takes {
					break
				}
			}
		}
	}
	return secret.New(s...)
}

// maskedArgs is args with the secrets masked in everything the user typed
// except the names of the check's own flags: values, arguments, unknown
// flags. A flag name is the check's word, not the user's: masking one
// ("--password-file" under the password "password") would tell another
// error.
func maskedArgs(args []string, scrub secret.Scrubber, flags flagSet) []string {
	long, short := flags.long, flags.short
	out := make([]string, len(args))
	value := false // args[i] is the value of the flag before it
	for i, a := range args {
		switch {
		case value || a == "-" || !strings.HasPrefix(a, "-"):
			out[i], value = scrub.Scrub(a), false
		case a == "--":
			out[i] = a
			copy(out[i+1:], scrub.ScrubAll(args[i+1:]))
			return out
		case strings.HasPrefix(a, "--"):
			name, v, hasValue := strings.Cut(a[2:], "=")
			takes, known := long[name]
			if b, negated := strings.CutPrefix(name, "no-"); !known && negated {
				// --no-tls: the negation of a boolean flag.
				bTakes, bKnown := long[b]
				takes, known = false, bKnown && !bTakes
			}
			switch {
			case !known:
				out[i] = scrub.Scrub(a)
			case hasValue:
				out[i] = "--" + name + "=" + scrub.Scrub(v)
			default:
				out[i], value = a, takes
			}
		default:
			out[i], value = maskedShort(a, scrub, short)
		}
	}
	return out
}

// maskedShort masks a cluster of short flags ("-vP" "-vPsecret"): the
// known flag letters stay, the rest is masked. It also says whether the
// next argument is the value of the cluster's last flag.
func maskedShort(a string, scrub secret.Scrubber, short map[rune]bool) (string, bool) {
	for j, r := range a[1:] {
		takes, known := short[r]
		if !known {
			return a[:1+j] + scrub.Scrub(a[1+j:]), false
		}
		if takes {
			at := 1 + j + utf8.RuneLen(r)
			if at == len(a) {
				return a, true
			}
			return a[:at] + scrub.Scrub(a[at:]), false
		}
	}
	return a, false
}

// flagSet is what the command line's words mean before parsing: each
// flag's long and short name, and whether it takes a value.
type flagSet struct {
	long  map[string]bool
	short map[rune]bool
}

// flagsOf are the flags of spec's check, for argSecrets and maskedArgs.
func flagsOf(spec Spec) flagSet {
	app, _, _ := newApp(spec, Env{Stdout: io.Discard})
	fs := flagSet{long: map[string]bool{}, short: map[rune]bool{}}
	for _, f := range app.Model().Flags {
		fs.long[f.Name] = !f.IsBoolFlag()
		if f.Short != 0 {
			fs.short[f.Short] = !f.IsBoolFlag()
		}
	}
	return fs
}

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
