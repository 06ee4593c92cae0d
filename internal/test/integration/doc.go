// Package integration is make integration: the plugins inside real
// monitoring engines, each engine's record compared with the plugin run
// directly with the same arguments and with a fixed table of expected
// states. The run itself is TestIntegration, behind the integration build
// tag; everything else here is ordinary code with unit tests in make test.
//
// # Shape of a run
//
// Run (run.go) makes a private work dir (0755, under $TMPDIR) holding copies
// of contrib/ (Env.Contrib) and of the plugins (Env.Plugins for the direct
// runs, Env.EngineBin for the engines), writes the PBXs' password file,
// picks a free loopback /24 for the PBXs (net.go), then:
//
//  1. starts every selected component in order (Spec.Needs, Spec.After),
//  2. checks every engine in order (Spec.Needs, Spec.Reads): Engine.Check
//     forces or awaits the checks and returns a Report,
//  3. judges each Report: every Result is compared (compare.go) with the
//     plugin run directly by DirectRun with Result.Argv and Result.Environ,
//     and with the Case's expected state; Verdicts count as they are,
//  4. stops everything it started, by PID, in reverse (also on failure,
//     timeout or Ctrl-C).
//
// Data flows one way: Env is written by the runner only; a component reads
// other components only through Lookup (after they started) or through
// Inputs (the Reports of the engines it Reads). The one exception is
// icinga2, which walks the started components in order for the
// IcingaFeatures it must be configured for.
//
// # Adding a component
//
// One file, one constructor, one Registry line (registry.go):
//
//	{Name: "influxdb", New: newInfluxDB, Reads: []string{"icinga2"}, Packages: []string{"influxdb"}},
//
// Spec.StartTimeout lifts the default StartTimeout for a component that
// builds something the first time (naemon); Spec.CheckTimeout lifts
// CheckTimeout for an engine that reads many pages in a browser
// (icingaweb, icingadb). Engines that show the checks in Icinga Web 2
// share its setup (webui.go) and the page-reading loop (webcheck.go).
//
// New must have no side effects (the planner calls it to see whether the
// component is an Engine). Start gets a context bounded by StartTimeout and
// must configure everything from files in its own dir (env.Dir(name)),
// listen on 127.0.0.1 with FreePort or on a PBX address, start daemons with
// StartDaemon (foreground, own process group; StartDaemonAs where a daemon
// refuses root) and wait with Await. Stop stops what Start started, by
// PID, and must cope with a Start that failed halfway. Engines never read
// the checkout: an engine fails when a file in its dir, or in the dir of a
// component it needs, names it.
//
// An Engine also has Check, bounded by CheckTimeout. It returns a Result
// per case it ran (Case, State, line 1, long output, perfdata, and the
// plugin argv/environment its configuration produced, so the direct run uses
// exactly those), and Verdicts for engine-wide properties (a clean log,
// metrics that arrived). Its tally line is its Spec name.
//
// # How components depend on each other
//
//   - Needs: started and checked before, selected along (nrpe needs
//     nrpe-pbx, the NRPE daemons on the PBXs; every engine that runs the
//     plugins needs pbx, directly or through what it needs).
//   - After: started before if selected, not selected along. Icinga's
//     writers connect when Icinga starts, so icinga2 lists its sinks here.
//   - Reads: checked before, their Reports passed in, selected along.
//     graphite Reads icinga2: it compares what arrived with the results
//     Icinga recorded, which icinga2's own check compares with DirectRun.
//   - IcingaFeature: a component Icinga must be configured for implements
//     IcingaConfig (an object such as a GraphiteWriter, pointing at the
//     component's address) and IcingaReady (e.g. wait for the writer to
//     connect, through the IcingaAPI it gets). icinga2 includes the config
//     of every started feature and waits for each before forcing checks.
//     So Graphite needs Icinga's writer config: the graphite component
//     implements IcingaFeature, sits in icinga2's After, and Reads icinga2.
//
// # Adding a check case
//
// Add a row to Cases (cases.go): scenario (an itgrix-sim scenario name),
// plugin (App or License) and the state contrib/'s arguments must give.
// Every engine then runs it; a new scenario becomes a new PBX address. The
// arguments come from contrib/ as each engine loads it; change contrib/,
// not the harness, to change them.
//
// # The self-test
//
// TestIntegration runs the same engines twice more, at the same time on
// their own address blocks, with plugins wrapped to break on purpose
// (breakages in integration_test.go): performance data out of format, and
// an exit code that is always 0. Every engine must fail each breakage on
// its own; an engine that reports no plugin states is exempt from the
// exit-code one, and zabbix, which runs no plugin, from both (broken
// copies of its template are its self-test).
//
// # Running
//
//	make integration                          # everything; tallies, overall line last
//	INTEGRATION_ENGINES=naemon make integration  # one engine (and what it needs)
//	INTEGRATION_NET=127.15.0.0/16 ...         # confine the PBX addresses
//	INTEGRATION_KEEP=1 ...                    # keep the work dirs for a post-mortem
//	INTEGRATION_OUT=DIR ...                   # screenshots and graphs there (default integration-out/)
//	ITGRIX_BIN=DIR ...                        # the plugins to test (default bin/)
//	go test -tags integration -v ./internal/test/integration/   # the same through go test
//
// Run as root (the packages it installs, daemons that drop to nagios) or as
// a user with sudo for .ci/apt-install; then the daemons run as that user.
// Naemon is built once from ../shared/vendor/naemon-core-1.5.2.tar.gz or
// $NAEMON_TARBALL into $XDG_CACHE_HOME/check-itgrix if set, else
// /var/cache/check-itgrix (root) or ~/.cache/check-itgrix, keyed by the
// tarball's hash; concurrent runs build it once.
package integration
