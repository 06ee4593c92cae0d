package main

import (
	"io"
	"strings"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/cli"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/license"
)

var help = `Checks the Itgrix licence (` + itgrix.Requires + `): its type against --expected-type, and the calendar days left until license.valid_till, the last day on which the licence is valid.

days_left counts calendar days from today (this host's local date, or --timezone) to valid_till: 0 means today is the last valid day, below 0 the licence has expired (always CRITICAL). WARNING when fewer than -w days are left, CRITICAL when fewer than -c. With -w 30 -c 7 and valid_till 2027-05-11: on 2027-04-12 (29 days left) WARNING; on 2027-05-04 (7 days left) still WARNING; on 2027-05-05 (6 days left) CRITICAL; on 2027-05-11 (0 days, the last valid day) CRITICAL; on 2027-05-12 CRITICAL "expired 1 day ago". -c 0 makes only an expired licence CRITICAL.

The worst state wins (CRITICAL > WARNING > UNKNOWN > OK). Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also after --help and --version).`

const examples = `  # From the monitoring server, credentials from the PBX's section of a
  # root-owned ini file; alert on a fall-back to Free (RPM hosts:
  # /usr/lib64/nagios/plugins):
  /usr/lib/nagios/plugins/check_itgrix_license -H pbx1.example.net \
    --extra-opts=pbx1@/etc/icinga2/itgrix.ini \
    --expected-type Subscription,Professional

  # NRPE on the Asterisk host (NRPE 4 empties the environment; the
  # password is in a file only NRPE's user can read):
  /usr/lib/nagios/plugins/check_itgrix_license -u admin \
    --password-file /etc/nagios/itgrix.pass -t 10 -w 30 -c 7

  # What would it say on 2027-05-05, a week before valid_till?
  /usr/lib/nagios/plugins/check_itgrix_license -H pbx1.example.net \
    -u admin --password-file /etc/icinga2/itgrix.pass --now 2027-05-05

  # Offline, against a saved document, with the dates of another zone:
  /usr/lib/nagios/plugins/check_itgrix_license --status-file status.json \
    --timezone Europe/Moscow
`

func run(args []string, env func(string) string, stdin io.Reader, stdout io.Writer, now func() time.Time) int {
	return cli.Run(cli.Spec{
		Name:        "check_itgrix_license",
		Help:        help,
		Examples:    examples,
		Usage:       "[-w DAYS] [-c DAYS] [--expected-type TYPE] [-v] [OPTION]...",
		Unreachable: check.Unknown,
		Check:       &licenseCheck{o: license.DefaultOptions()},
	}, cli.Env{Args: args, Getenv: env, Stdin: stdin, Stdout: stdout, Now: now})
}

// licenseCheck is the licence check's own flags and judgement.
type licenseCheck struct {
	o          license.Options
	warn, crit *int
	expected   []string
	zone       *string
}

func (c *licenseCheck) Flags(a *cli.Flags) {
	o := &c.o
	c.warn = cli.DaysFlag(a.Flag("warning", "WARNING when fewer than DAYS days are left. Default 30.").Short('w'), o.Warning)
	c.crit = cli.DaysFlag(a.Flag("critical", "CRITICAL when fewer than DAYS days are left; must not exceed -w. Default 7.").Short('c'), o.Critical)
	c.expected = nil
	a.Flag("expected-type", "Expected licence type: "+itgrix.LicenseTypeList("or")+", in any case; repeatable, or several separated by commas. Another type gives --type-state.").PlaceHolder("TYPE").Repeatable().SetValue(typesValue{&c.expected})
	cli.StateVar(a.Flag("type-state", "State when the licence type is not an --expected-type. Default critical."), &o.TypeState, o.TypeState)
	c.zone = a.Flag("timezone", "Zone whose date is \"today\" (e.g. Europe/Moscow). Default: this host's local zone.").PlaceHolder("NAME").String()
}

func (c *licenseCheck) Judge() (cli.Judge, error) {
	o := c.o
	o.Warning, o.Critical, o.Expected = *c.warn, *c.crit, c.expected
	if *c.zone != "" {
		loc, err := time.LoadLocation(*c.zone)
		if err != nil {
			return cli.Judge{}, check.Errorf("unknown --timezone %q", *c.zone)
		}
		o.Location = loc
	}
	if err := o.Validate(); err != nil {
		return cli.Judge{}, err
	}
	// A --now date is a day in --timezone, like "today".
	return cli.Judge{Zone: o.Location, Evaluate: func(s *itgrix.Status, now time.Time) check.Result {
		return license.Evaluate(s, o, now)
	}}, nil
}

// typesValue is --expected-type: each use adds one type or a comma list.
type typesValue struct{ types *[]string }

func (v typesValue) Set(s string) error {
	t, err := license.ParseTypes(s)
	if err != nil {
		return err
	}
	*v.types = append(*v.types, t...)
	return nil
}

func (v typesValue) String() string { return strings.Join(*v.types, ",") }
