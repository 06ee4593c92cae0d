package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// webEngine is a web UI whose service detail pages the run reads: its
// database (written asynchronously by Icinga) and its page.
type webEngine interface {
	// stored is the result of r's service as the UI's database holds it.
	stored(ctx context.Context, r Result) (Result, error)
	// page opens the service's detail page and reads it; it returns the
	// screenshot too.
	page(ctx context.Context, b *Browser, r Result) (servicePage, []byte, error)
	// judge returns what is wrong with what only this UI shows.
	judge(page servicePage, stored Result) []string
}

// checkPages opens the page of every service Icinga checked, once the UI's
// database holds its result, and judges each against that result. What a
// page shows is also a Result, judged like any engine's against the plugin
// run directly. Screenshots are kept under name/.
func checkPages(ctx context.Context, env *Env, in Inputs, name string, w webEngine) (Report, error) {
	var rep Report
	icinga := in["icinga2"]
	if len(icinga.Results) == 0 {
		return rep, errors.New("icinga2 recorded no results to look for")
	}
	wait, cancel := context.WithTimeout(ctx, resultTimeout)
	defer cancel()
	dir, err := env.Dir(name + "/chromium")
	if err != nil {
		return rep, err
	}
	b, err := StartBrowser(dir)
	if err != nil {
		return rep, err
	}
	defer b.Close()
	// The database is written asynchronously: the pages show the results
	// once it holds them.
	stored := map[int]error{}
	for i, r := range icinga.Results {
		stored[i] = awaitResult(wait, "the result in "+name+"'s database", func() error {
			st, err := w.stored(ctx, r)
			if err != nil {
				return err
			}
			if strings.TrimRight(st.Output, " ") != strings.TrimRight(r.Output, " ") {
				return fmt.Errorf("database has %q", st.Output)
			}
			return nil
		})
	}
	// Graphite draws a value once its bucket has passed: a result written
	// in the current one is not on the graphs yet.
	next := time.Now().Truncate(graphiteStep).Add(graphiteStep + time.Second)
	select {
	case <-ctx.Done():
		return rep, ctx.Err()
	case <-time.After(time.Until(next)):
	}
	for i, r := range icinga.Results {
		err := stored[i]
		if err == nil {
			var shown *Result
			shown, err = checkService(ctx, env, b, name, w, r)
			if shown != nil {
				rep.Results = append(rep.Results, *shown)
			}
		}
		rep.Verdicts = append(rep.Verdicts, Verdict{fmt.Sprintf("%s %s: service detail page", r.Case.Check, r.Case.Scenario), err})
	}
	return rep, nil
}

// checkService opens the service's page and judges it against the stored
// result read around the visit: Icinga may run the check again meanwhile
// (its own schedule), and then the visit is repeated. It also returns what
// the page shows as a Result: state, line 1 and long output from the page,
// the performance data the UI read (its database's), the plugin's argv.
func checkService(ctx context.Context, env *Env, b *Browser, name string, w webEngine, r Result) (*Result, error) {
	var err error
	for try := 0; try < 3; try++ {
		var before, after Result
		var page servicePage
		var png []byte
		if before, err = w.stored(ctx, r); err != nil {
			return nil, err
		}
		if page, png, err = w.page(ctx, b, r); err != nil {
			return nil, err
		}
		if after, err = w.stored(ctx, r); err != nil {
			return nil, err
		}
		if before.State != after.State || before.Output != after.Output || before.Long != after.Long || before.Perfdata != after.Perfdata {
			err = errors.New("the check ran again during every visit")
			continue
		}
		if err := env.KeepOutput(filepath.Join(name, r.Case.Scenario+"-"+string(r.Case.Check)+".png"), png); err != nil {
			return nil, err
		}
		shown := Result{Case: r.Case, Service: r.Service, State: stateOf(page.State), Perfdata: before.Perfdata,
			Argv: r.Argv, Environ: r.Environ}
		if lines := nonEmpty(page.Output); len(lines) > 0 {
			shown.Output, shown.Long = lines[0], strings.Join(lines[1:], "\n")
		}
		err := judgePage(page, before, env.Login.Password)
		if more := w.judge(page, before); len(more) > 0 {
			err = problemsError(append(nonNil(err), more...))
		}
		return &shown, err
	}
	return nil, err
}

// visitPage opens u at the size the screenshots have and reads it with
// script, which returns a servicePage; with images, once its graphs loaded.
func visitPage(ctx context.Context, b *Browser, u string, images bool, script string) (servicePage, []byte, error) {
	var page servicePage
	p, err := b.Visit(ctx, u, 1280, 1400, images, script)
	if err != nil {
		return page, nil, err
	}
	if err := json.Unmarshal(p.Value, &page); err != nil {
		return page, nil, fmt.Errorf("reading the page: %w", err)
	}
	return page, p.PNG, nil
}

// nonNil is err's message as the first of a list of problems.
func nonNil(err error) []string {
	if err == nil {
		return nil
	}
	return []string{err.Error()}
}
