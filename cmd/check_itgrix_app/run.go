package main

import (
	"io"
	"time"

	"check-itgrix/internal/app"
	"check-itgrix/internal/check"
	"check-itgrix/internal/cli"
	"check-itgrix/internal/itgrix"
)

var help = `Checks that the Itgrix connector (Asterisk <-> Bitrix24/Kommo) is running and healthy, from its Digest-protected status endpoint (http://HOST:8077/status; ` + itgrix.Requires + `).

States: app_status Ok/Warning/Error -> OK/WARNING/CRITICAL; app_state "" -> OK, restarting -> --restarting-state, stopped -> --stopped-state; unknown or missing values -> UNKNOWN; the call queue, call storage and CRM batch queue against their ranges; the users cache's age against --cache-age-warning/--cache-age-critical; the CRM link, manager or connector switched off -> --crm-off-state (default ok); click-to-call on but not connected -> --c2c-state (default ok). The worst state wins (CRITICAL > WARNING > UNKNOWN > OK). Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also after --help and --version).`

const examples = `  # From the monitoring server: the engine gives the address, the PBX's
  # section of a root-owned ini file ([pbx1]: username=, password=)
  # the credentials (RPM hosts: /usr/lib64/nagios/plugins):
  /usr/lib/nagios/plugins/check_itgrix_app -H pbx1.example.net \
    --extra-opts=pbx1@/etc/icinga2/itgrix.ini \
    --queue-warning 10 --queue-critical 50

  # NRPE on the Asterisk host (NRPE 4 empties the environment; the
  # password is in a file only NRPE's user can read):
  /usr/lib/nagios/plugins/check_itgrix_app -u admin \
    --password-file /etc/nagios/itgrix.pass -t 10

  # Alert when the users cache is stale or calls pile up in storage:
  /usr/lib/nagios/plugins/check_itgrix_app -H pbx1.example.net -u admin \
    --password-file /etc/icinga2/itgrix.pass \
    --cache-age-warning 2h --cache-age-critical 1d --storage-warning 100

  # Offline, against a saved document (curl asks for the password):
  curl -fsS --digest -u admin http://pbx1:8077/status > status.json
  /usr/lib/nagios/plugins/check_itgrix_app --status-file status.json
`

func run(args []string, env func(string) string, stdin io.Reader, stdout io.Writer, now func() time.Time) int {
	return cli.Run(cli.Spec{
		Name:        "check_itgrix_app",
		Help:        help,
		Examples:    examples,
		Usage:       "[--queue-warning RANGE] [--queue-critical RANGE] [-v] [OPTION]...",
		Unreachable: check.Critical,
		Check:       &appCheck{o: app.DefaultOptions()},
	}, cli.Env{Args: args, Getenv: env, Stdin: stdin, Stdout: stdout, Now: now})
}

// appCheck is the app check's own flags and judgement.
type appCheck struct {
	o                                    app.Options
	warn, crit, storageWarn, storageCrit **check.Range
	batchWarn, batchCrit                 **check.Range
	ageWarn, ageCrit                     **time.Duration
}

func (c *appCheck) Flags(a *cli.Flags) {
	o := &c.o
	cli.StateVar(a.Flag("restarting-state", "State when app_state is \"restarting\". Default warning."), &o.Restarting, o.Restarting)
	cli.StateVar(a.Flag("stopped-state", "State when app_state is \"stopped\". Default critical."), &o.Stopped, o.Stopped)
	c.warn = cli.RangeFlag(a.Flag("queue-warning", "Nagios range for the call queue (10, 10:, ~:10, 10:20, @10:20); outside it is WARNING."))
	c.crit = cli.RangeFlag(a.Flag("queue-critical", "Nagios range for the call queue; outside it is CRITICAL."))
	c.storageWarn = cli.RangeFlag(a.Flag("storage-warning", "Nagios range for the calls held in storage (app.calls_storage.calls); outside it is WARNING."))
	c.storageCrit = cli.RangeFlag(a.Flag("storage-critical", "Nagios range for the calls held in storage; outside it is CRITICAL."))
	c.batchWarn = cli.RangeFlag(a.Flag("batch-warning", "Nagios range for the CRM requests waiting for a batch (app.crm.manager.batch_queue); outside it is WARNING."))
	c.batchCrit = cli.RangeFlag(a.Flag("batch-critical", "Nagios range for the CRM requests waiting for a batch; outside it is CRITICAL."))
	c.ageWarn = cli.AgeFlag(a.Flag("cache-age-warning", "WARNING when the users cache was last refreshed from the CRM longer ago than DURATION (90m, 2h, 1d, or seconds)."))
	c.ageCrit = cli.AgeFlag(a.Flag("cache-age-critical", "CRITICAL when the users cache was last refreshed longer ago than DURATION; must not be shorter than --cache-age-warning."))
	cli.StateVar(a.Flag("crm-off-state", "State when the CRM link, its manager or its connector is switched off (app.crm.on, app.crm.manager.on, app.crm.manager.connector.on). Default ok."), &o.CRMOff, o.CRMOff)
	cli.StateVar(a.Flag("c2c-state", "State when click-to-call is switched on but not connected (app.c2c). Default ok."), &o.C2C, o.C2C)
	// The generic -w/-c of other plugins would be a guess here, among
	// the queue, storage, batch and cache thresholds: they say which.
	a.Flag("warning", "").Short('w').Hidden().SetValue(refused{})
	a.Flag("critical", "").Short('c').Hidden().SetValue(refused{})
}

func (c *appCheck) Judge() (cli.Judge, error) {
	o := c.o
	o.QueueWarning, o.QueueCritical = *c.warn, *c.crit
	o.StorageWarning, o.StorageCritical = *c.storageWarn, *c.storageCrit
	o.BatchWarning, o.BatchCritical = *c.batchWarn, *c.batchCrit
	o.CacheAgeWarning, o.CacheAgeCritical = *c.ageWarn, *c.ageCrit
	if err := o.Validate(); err != nil {
		return cli.Judge{}, err
	}
	return cli.Judge{Evaluate: func(s *itgrix.Status, now time.Time) check.Result {
		return app.Evaluate(s, o, now)
	}}, nil
}

// refused is -w/-c, which the app check does not take.
type refused struct{}

func (refused) Set(string) error {
	return check.Errorf("not an option of the app check: the call queue's thresholds are --queue-warning and --queue-critical (also --storage-*, --batch-*, --cache-age-*)")
}

func (refused) String() string { return "" }
