package cli

import (
	"context"
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
	clean, changed := s.Scrubbed(scrub.Scrub)
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
