package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"check-itgrix/internal/cli"
	"check-itgrix/internal/sim"
)

const help = `Serves an Itgrix-like status document at /status behind Digest authentication (MD5, qop=auth), for demos, for trying thresholds and monitoring configurations, and for tests. /<scenario>/status serves any scenario regardless of --scenario; ?path=a.b answers a single element. Dates in scenarios are relative to today, so they never rot.

The first line on stdout is "listening on http://ADDR/status" once the port is open (--listen 127.0.0.1:0 picks a free port).`

func run(ctx context.Context, args []string, env func(string) string, stdout io.Writer, now func() time.Time) int {
	app := kingpin.New("itgrix-sim", help)
	app.UsageWriter(stdout).ErrorWriter(stdout)
	app.Version("itgrix-sim " + cli.Version)
	plainHelp(app)
	app.HelpFlag.Short('h')
	app.VersionFlag.Short('V')
	app.Terminate(func(int) { panic(exitRequest{}) })
	app.PreAction(refuseNegatedAnswers)
	listen := app.Flag("listen", "Address to listen on; keep it on loopback unless you mean it.").Default("127.0.0.1:8077").String()
	c := sim.Config{Now: now}
	app.Flag("username", "Login to accept.").Default("admin").StringVar(&c.Username)
	app.Flag("password", "Password to accept (default $ITGRIX_PASSWORD, else \"itgrix\").").StringVar(&c.Password)
	app.Flag("scenario", "Scenario served at /status: "+strings.Join(names(), ", ")+".").Default("healthy").StringVar(&c.Scenario)
	app.Flag("status-file", "Serve this file at /status instead of a scenario (read on every request).").PlaceHolder("FILE").StringVar(&c.StatusFile)
	app.Flag("delay", "Hold every answer back this long, to try --timeout.").Default("0s").DurationVar(&c.Delay)
	nowFlag := app.Flag("now", "Build the scenarios as if now were TIME (YYYY-MM-DD, read in this host's zone, or RFC 3339), to try thresholds on another day together with the checks' --now.").PlaceHolder("TIME").String()
	list := app.Flag("list-scenarios", "List the scenarios and exit.").Bool()
	printDoc := app.Flag("print", "Write the --scenario document as of today (or --now) to stdout and exit (to serve it from another web server).").Bool()
	fleet := addFleetFlags(app)

	if code, done := parse(app, args, stdout); done {
		return code
	}
	if *nowFlag != "" {
		t, err := cli.ParseNow(*nowFlag, time.Local)
		if err != nil {
			fmt.Fprintf(stdout, "itgrix-sim: %v\n", err)
			return 2
		}
		// The simulator's clock stands at TIME: every answer is built as
		// of then, however long it runs.
		now = func() time.Time { return t }
		c.Now = now
	}
	if *list {
		for _, s := range sim.Scenarios() {
			fmt.Fprintln(stdout, s)
		}
		return 0
	}
	if *printDoc {
		doc, err := sim.Document(c.Scenario, now())
		if err != nil {
			fmt.Fprintf(stdout, "itgrix-sim: %v; known: %s\n", err, strings.Join(names(), ", "))
			return 2
		}
		fmt.Fprintf(stdout, "%s\n", doc)
		return 0
	}
	if c.Password == "" {
		c.Password = env("ITGRIX_PASSWORD")
	}
	if c.Password == "" {
		c.Password = "itgrix"
	}
	if fleet.n != 0 || fleet.list || fleet.ini {
		return runFleet(ctx, fleet, c, *listen, stdout)
	}
	if _, err := sim.Document(c.Scenario, now()); err != nil && c.StatusFile == "" {
		fmt.Fprintf(stdout, "itgrix-sim: %v; known: %s\n", err, strings.Join(names(), ", "))
		return 2
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stdout, "itgrix-sim: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "listening on http://%s/status\n", ln.Addr())
	srv := &http.Server{Handler: sim.Handler(c), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stdout, "itgrix-sim: %v\n", err)
		return 1
	}
	return 0
}

// refuseNegatedAnswers refuses "--no-help", "--no-version" and the hidden
// "--no-help-long" and "--no-help-man" as unknown flags, as the plugins do:
// kingpin gives every switch a "--no-" form and answers these anyway, the
// opposite of what was written. It runs before the flags' own actions.
func refuseNegatedAnswers(ctx *kingpin.ParseContext) error {
	for _, e := range ctx.Elements {
		f, ok := e.Clause.(*kingpin.FlagClause)
		if !ok || e.Value == nil || *e.Value != "false" {
			continue
		}
		switch name := f.Model().Name; name {
		case "help", "help-long", "help-man", "version":
			return fmt.Errorf("unknown long flag '--no-%s'", name)
		}
	}
	return nil
}

// exitRequest is kingpin asking to exit after --help or --version.
type exitRequest struct{}

// parse runs kingpin, turning its exit after --help/--version into a return.
func parse(app *kingpin.Application, args []string, stdout io.Writer) (code int, done bool) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(exitRequest); !ok {
				panic(p)
			}
			code, done = 0, true
		}
	}()
	if _, err := app.Parse(args); err != nil {
		fmt.Fprintf(stdout, "itgrix-sim: %v\n", err)
		return 2, true
	}
	return 0, false
}

func names() []string {
	var out []string
	for _, s := range sim.Scenarios() {
		out = append(out, strings.Fields(s)[0])
	}
	return out
}
