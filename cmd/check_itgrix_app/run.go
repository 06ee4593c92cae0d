package main

import (
	"io"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"check-itgrix/internal/app"
	"check-itgrix/internal/check"
	"check-itgrix/internal/cli"
	"check-itgrix/internal/itgrix"
)

const help = `Checks that the Itgrix connector (Asterisk <-> Bitrix24/Kommo) is running and healthy, from its Digest-protected status endpoint (http://HOST:8077/status, Itgrix bx >= 3.6.0, Itgrix Kommo >= 2.13.0).

States: app_status Ok/Warning/Error -> OK/WARNING/CRITICAL; app_state "" -> OK, restarting -> --restarting-state, stopped -> --stopped-state; unknown or missing values -> UNKNOWN; the call queue against --queue-warning/--queue-critical. The worst state wins (CRITICAL > WARNING > UNKNOWN > OK). Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also after --help and --version).`

const examples = `  # Credentials from the host's section ([pbx1]: url=, username=, password=)
  # of a root-owned ini file:
  check_itgrix_app --extra-opts=pbx1@/etc/icinga2/itgrix.ini --queue-warning 10 --queue-critical 50

  # NRPE on the Asterisk host (NRPE 4 empties the environment; the password is in a file):
  check_itgrix_app -u admin --password-file /etc/nagios/itgrix.pass -t 10

  # Offline, against a saved document:
  curl -s --digest -u admin:secret http://pbx1:8077/status > status.json
  check_itgrix_app --status-file status.json
`

func run(args []string, env func(string) string, stdin io.Reader, stdout io.Writer, now func() time.Time) int {
	return cli.Run(cli.Spec{
		Name:        "check_itgrix_app",
		Help:        help,
		Examples:    examples,
		Unreachable: check.Critical,
		Flags:       flags,
	}, cli.Env{Args: args, Getenv: env, Stdin: stdin, Stdout: stdout, Now: now})
}

func flags(a *kingpin.Application) func() (cli.Evaluator, error) {
	o := app.DefaultOptions()
	cli.StateVar(a.Flag("restarting-state", "State when app_state is \"restarting\". Default warning."), &o.Restarting, o.Restarting)
	cli.StateVar(a.Flag("stopped-state", "State when app_state is \"stopped\". Default critical."), &o.Stopped, o.Stopped)
	warn := cli.RangeFlag(a.Flag("queue-warning", "Nagios range for the call queue (10, 10:, ~:10, 10:20, @10:20); outside it is WARNING. Write values starting with - as --queue-warning=-5:5."))
	crit := cli.RangeFlag(a.Flag("queue-critical", "Nagios range for the call queue; outside it is CRITICAL."))
	return func() (cli.Evaluator, error) {
		o.QueueWarning, o.QueueCritical = *warn, *crit
		return func(s *itgrix.Status, now time.Time) check.Result {
			return app.Evaluate(s, o, now)
		}, nil
	}
}
