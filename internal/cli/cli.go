// Package cli is the part of a check plugin between the command line and
// the evaluation: the shared flags, turning them into a request, fetching or
// reading the status document, and printing the result. A check supplies
// its own flags and a pure evaluation function; everything else is here so
// both plugins fail, time out and print the same way.
package cli

import (
	"fmt"
	"io"
	"log"
	"strconv"
	"strings"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/extraopts"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/secret"
)

// Version is stamped at build time with -ldflags "-X check-itgrix/internal/cli.Version=...".
var Version = "dev"

// Evaluator judges a status document at a moment in time. It must not do
// I/O: everything it needs is in its arguments.
type Evaluator func(s *itgrix.Status, now time.Time) check.Result

// Spec describes one check plugin: its words, and its Check.
type Spec struct {
	Name     string
	Help     string
	Examples string
	// Usage is the check's own options for the usage line a bad command
	// line prints ("[-w DAYS] [-c DAYS]"), after the shared ones.
	Usage string
	// Unreachable is the default of --unreachable-state.
	Unreachable check.State
	Check       Check
}

// Check is a check plugin's own part: its flags beside the shared ones,
// and, once they are parsed, how it judges a document.
type Check interface {
	// Flags registers the check's own flags.
	Flags(flags *Flags)
	// Judge checks the flags together once parsed.
	Judge() (Judge, error)
}

// Judge is a configured check.
type Judge struct {
	Evaluate Evaluator
	// Zone is the zone a --now date is read in (the licence check's
	// --timezone); nil is the host's.
	Zone *time.Location
}

// Env is everything a run touches outside itself, so tests drive the whole
// program without globals.
type Env struct {
	Args   []string
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Now    func() time.Time
}

// terminated carries the end of a run that printed the help or the
// version out of parse, past the check.
type terminated struct{}

// options are the shared flags once parsed.
type options struct {
	hostname, url, username, password, passwordFile string
	port                                            uint16
	tls, insecure                                   bool
	timeout                                         time.Duration
	caFile, statusFile                              string
	unreachable, invalid                            check.State
	verbose                                         int
	format                                          check.Format
	// now is --now as given; "" evaluates at the real time.
	now        string
	ipv4, ipv6 bool
	noProxy    bool
	// scrub holds the password in every form it was given, once resolved.
	scrub secret.Scrubber
	// extraOpts is never set: every --extra-opts is expanded before
	// parsing; the flag is declared for the help and the flag model.
	extraOpts string
	// origins says where each value being parsed came from.
	origins *origins
	// address says where the URL came from, for -v.
	address check.Message
}

// shown is the one way an error becomes text for the output: its
// check.Message with the password scrubbed out of what came from outside,
// or, for an error told by none, its whole text scrubbed.
func (o *options) shown(err error) string { return check.Shown(err, o.scrub.Scrub) }

// checkStdin refuses a standard input asked to feed two things.
func (o *options) checkStdin(locators []string) error {
	var readers []string
	for _, l := range locators {
		if strings.HasSuffix(l, "@-") {
			readers = append(readers, extraopts.Flag+"=@-")
			break
		}
	}
	for _, f := range []struct{ flag, value string }{
		{"--status-file", o.statusFile}, {"--password-file", o.passwordFile}, {"--ca-file", o.caFile},
	} {
		if f.value == "-" {
			readers = append(readers, f.flag+" -")
		}
	}
	if len(readers) > 1 {
		return check.Errorf("standard input can feed one of %s, not several", check.Ours(strings.Join(readers, ", ")))
	}
	return nil
}

// Run executes a check plugin and returns its exit code. It always prints
// a result: the run starts as UNKNOWN and a panic anywhere becomes UNKNOWN.
func Run(spec Spec, env Env) (code int) {
	// net/http logs some server misbehaviour (an unsolicited answer, such
	// as an SSH banner on the port) through the standard logger, to
	// stderr, which engines merge into the output. The result line says
	// what went wrong; the log line must not reach the engine.
	log.SetOutput(io.Discard)
	result := check.Fail(check.Unknown, "check did not complete")
	// A limit too tight for a check is looked at before anything else
	// allocates: near it, the heap cannot grow, and the runtime dies with
	// a trace on stderr as soon as it must (building the parser already
	// makes it grow). Only --help and --version still answer.
	limitErr := checkLimits()
	verbose, format := 0, check.Format(0)
	// The parser is built once; the command line is read once, from it.
	app, o := newApp(spec, env)
	model := modelOf(app)
	cmd := model.parse(env.Args)
	o.scrub = secret.New(append(passwords(cmd), env.Getenv("ITGRIX_PASSWORD"))...)
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(terminated); ok {
				code = int(check.Unknown)
				return
			}
			result = check.Fail(check.Unknown, o.shown(check.Errorf("internal error: %s", fmt.Sprint(p))))
		}
		_ = check.Write(env.Stdout, result, verbose, format)
		code = int(result.State)
	}()

	if limitErr != nil && !asksForHelp(cmd) {
		result = check.Fail(check.Unknown, limitErr.Error())
		return
	}
	read, err := expandExtraOpts(spec.Name, env, cmd)
	ini := make([]option, len(read))
	for i, e := range read {
		ini[i] = model.fromIni(e)
	}
	// Every password an ini section set is a secret: also one a later
	// source overrides (merge drops it from opts), and one a section read
	// before a failure set (it may be in a later --extra-opts' file or
	// section name). The command line's are in the scrubber already.
	o.scrub = o.scrub.With(passwords(ini)...)
	if err != nil {
		result = usageError(spec, o.shown(err))
		return
	}
	opts := merge(ini, cmd)
	// Every line is looked at, those a later source overrides too.
	if err := checkOptions(append(ini, cmd...)); err != nil {
		result = usageError(spec, o.shown(err))
		return
	}
	run, err := configure(env, app, o, spec.Check.Judge, opts, locators(cmd))
	verbose, format = o.verbose, o.format
	if err != nil {
		result = usageError(spec, o.shown(err))
		return
	}
	if limitErr != nil {
		result = check.Fail(check.Unknown, limitErr.Error())
		return
	}
	result = fetchAndEvaluate(o, env, run)
	return
}

// checked is a command line that parsed and holds together: what the
// check will do, before any file is read or any request is sent.
type checked struct {
	evaluate Evaluator
	// evalNow is the moment the document is judged at (--now, or the
	// real clock).
	evalNow func() time.Time
	// request is what to ask the server; nil with --status-file.
	request *request
}

// configure parses the merged options and checks them together. Every
// usage error comes from here, and nothing here reads a file, stdin or the
// network. o is filled even on error: -v and the secrets found so far
// still count.
func configure(env Env, app *parser, o *options, judge func() (Judge, error), opts []option, locators []string) (checked, error) {
	*o.origins = originsOf(opts)
	if err := app.parse(opts, o.origins); err != nil {
		return checked{}, err
	}
	if err := o.checkStdin(locators); err != nil {
		return checked{}, err
	}
	// Every password given is a secret from here on; one from
	// --password-file joins them as it is read, inside the -t budget.
	o.scrub = o.scrub.With(o.password, env.Getenv("ITGRIX_PASSWORD"))
	o.address = sources(opts)
	j, err := judge()
	if err != nil {
		return checked{}, err
	}
	evalNow, err := o.evaluationClock(j.Zone, env)
	if err != nil {
		return checked{}, err
	}
	req, err := o.request(env)
	if err != nil {
		return checked{}, err
	}
	return checked{evaluate: j.Evaluate, evalNow: evalNow, request: req}, nil
}

func newApp(spec Spec, env Env) (*parser, *options) {
	app := newParser(spec, env)
	o := &options{origins: &origins{}}
	app.Flag("hostname", "Host running Itgrix (the default suits NRPE on the Asterisk host).").Short('H').Default("127.0.0.1").StringVar(&o.hostname)
	app.Flag("port", "Port of the Itgrix status endpoint.").Short('p').Default("8077").SetValue(portValue{&o.port})
	app.Flag("tls", "Use https.").Short('S').BoolVar(&o.tls)
	app.Flag("url", "Full status URL; overrides -H, -p and -S from the same source (a later source's -H, -p or -S override an earlier --url).").PlaceHolder("URL").StringVar(&o.url)
	app.Flag("username", "Admin-panel login ($ITGRIX_USERNAME).").Short('u').StringVar(&o.username)
	app.Flag("password", "Admin-panel password ($ITGRIX_PASSWORD). Visible in ps: prefer --password-file or the variable.").Short('P').StringVar(&o.password)
	app.Flag("password-file", "Read the password from the first line of FILE (- is stdin; at most "+strconv.Itoa(maxPasswordFile>>10)+" KiB).").PlaceHolder("FILE").StringVar(&o.passwordFile)
	o.timeout = defaultTimeout
	app.Flag("timeout", "Budget for the whole check: reading --password-file, --ca-file and --status-file, both Digest legs, reading the body (--extra-opts files get a budget of their own before it); a bare number means seconds.").Short('t').Default(check.Duration(defaultTimeout)).SetValue(timeoutValue{&o.timeout})
	app.Flag("insecure", "Skip TLS certificate verification.").Short('k').BoolVar(&o.insecure)
	app.Flag("ca-file", "PEM bundle to verify the server with (- is stdin; at most "+strconv.Itoa(maxCAFile>>20)+" MiB).").PlaceHolder("FILE").StringVar(&o.caFile)
	app.Flag("status-file", "Evaluate a saved status document (- is stdin; at most "+strconv.Itoa(itgrix.MaxBody>>20)+" MiB) instead of asking a server.").PlaceHolder("FILE").StringVar(&o.statusFile)
	StateVar(app.Flag("unreachable-state", "State when the endpoint cannot be reached or answers 5xx (refused, DNS, timeout, TLS): ok, warning, critical or unknown. Default "+strings.ToLower(spec.Unreachable.String())+"."), &o.unreachable, spec.Unreachable)
	StateVar(app.Flag("invalid-state", "State when the endpoint answered but the answer cannot be evaluated (authentication failed, no usable Digest challenge, 404, redirects and other HTTP statuses, an answer that is not HTTP, a body too large, not JSON, not an Itgrix status document; a --status-file too): ok, warning, critical or unknown. Default unknown."), &o.invalid, check.Unknown)
	app.Flag("now", "Evaluate as if now were TIME (YYYY-MM-DD, or RFC 3339 such as 2027-05-11T09:30:00+03:00), to try thresholds: the licence check's today is TIME's date (in its --timezone), the app check ages the users cache from TIME. The time metric stays real.").PlaceHolder("TIME").StringVar(&o.now)
	app.Flag("ipv4", "Connect over IPv4 only.").Short('4').BoolVar(&o.ipv4)
	app.Flag("ipv6", "Connect over IPv6 only.").Short('6').BoolVar(&o.ipv6)
	app.Flag("no-proxy", "Ignore HTTP_PROXY, HTTPS_PROXY and NO_PROXY: connect to the PBX directly.").BoolVar(&o.noProxy)
	app.Flag("extra-opts", "Read options from SECTION (default: the plugin's name) of an ini FILE (default: $MP_CONFIG_FILE, then /etc/monitoring-plugins/monitoring-plugins.ini and the other standard places; - is stdin), as the monitoring-plugins do: key=value there is --key=value here. Repeatable; the command line wins.").PlaceHolder("[SECTION][@FILE]").StringVar(&o.extraOpts)
	app.Flag("verbose", "More detail in the long output (repeatable); never secrets.").Short('v').CounterVar(&o.verbose)
	app.Flag("output-format", check.FormatHelp()).PlaceHolder("FORMAT").SetValue(&o.format)
	spec.Check.Flags(&app.Flags)
	return app, o
}

// evaluationClock returns the moment to evaluate at: --now when given (a
// date read in zone, nil for the host's), else the real clock.
func (o *options) evaluationClock(zone *time.Location, env Env) (func() time.Time, error) {
	if o.now == "" {
		return env.Now, nil
	}
	loc := time.Local
	if zone != nil {
		loc = zone
	}
	t, err := ParseNow(o.now, loc)
	if err != nil {
		return nil, err
	}
	// An instant is seen in the check's zone, as the real clock's now is,
	// so its date is the one an operator there would call today.
	t = t.In(loc)
	return func() time.Time { return t }, nil
}

// FlagError is a value a flag refused. From is the ini line that gave
// it, nil for the command line.
type FlagError struct {
	Flag  string
	From  *extraopts.Origin
	Value string
	Err   error
}

func (e *FlagError) Error() string { return e.Message().String() }

// Message names the flag; for an ini line, also the file, section and
// line, and never the value, which may be a password given under a wrong
// key: it is hidden wherever the value's error repeats outside text.
func (e *FlagError) Message() check.Message {
	m, ok := check.Told(e.Err)
	if !ok {
		m = check.Say("%s", e.Err)
	}
	if e.From == nil {
		return check.Say("--%s: %s", check.Ours(e.Flag), m)
	}
	m = m.MapOutside(func(s string) string { return hideValue(s, e.Value) })
	return check.Say("%s %s: --%s: %s", check.Ours(extraopts.Flag), e.From.Message(), check.Ours(e.Flag), m)
}

func (e *FlagError) Unwrap() error { return e.Err }

// hideValue is msg without value: where it is quoted ("abc" becomes
// "***"), and anywhere else it appears. A value shorter than four
// characters is masked elsewhere only where it stands alone, so that
// "port = e" does not turn "must be" into "must b***" in an error that
// tells its text whole as outside text.
func hideValue(msg, value string) string {
	if value == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, strconv.Quote(value), strconv.Quote(secret.Mask))
	if len(value) >= 4 {
		return secret.New(value).Scrub(msg)
	}
	var b strings.Builder
	for {
		i := strings.Index(msg, value)
		if i < 0 {
			return b.String() + msg
		}
		end := i + len(value)
		alone := (i == 0 || !isWordByte(msg[i-1])) && (end == len(msg) || !isWordByte(msg[end]))
		b.WriteString(msg[:i])
		if alone {
			b.WriteString(secret.Mask)
		} else {
			b.WriteString(value)
		}
		msg = msg[end:]
	}
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// usageError reports a bad command line, as the monitoring-plugins do:
// what is wrong on line 1, then a short usage. Its text, which can echo any
// argument, comes with the password already out of it (see shown).
func usageError(spec Spec, text string) check.Result {
	r := check.Fail(check.Unknown, "usage: "+text)
	r.Long = usageLines(spec)
	return r
}

// usageLines is the short usage a bad command line prints, each line
// within 80 columns.
func usageLines(spec Spec) []string {
	lines := []string{
		"Usage: " + spec.Name + " [-H HOST] [-p PORT] [-S] [--url URL] [-u USER]",
		"[--password-file FILE] [--extra-opts [SECTION][@FILE]] [-t SECONDS]",
	}
	if spec.Usage != "" {
		lines = append(lines, spec.Usage)
	}
	return append(lines, "Every option: "+spec.Name+" --help")
}
