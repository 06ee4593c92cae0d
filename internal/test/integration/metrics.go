package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// perfMetric is one performance-data value as a metric writer stores it:
// in the unit's base (seconds for s, ms, us), thresholds only where they
// are plain numbers (Icinga's writers drop ranges such as "30:").
type perfMetric struct {
	Label      string
	Raw        string // the token as printed
	Value      float64
	Warn, Crit *float64
}

// expectedMetrics reads what the plugin printed for an engine, strictly: a
// token that is not valid performance data is an error, since no metric
// writer can carry it.
func expectedMetrics(r Result) ([]perfMetric, error) {
	var out []perfMetric
	var bad []string
	for _, tok := range strings.Fields(r.Perfdata) {
		m, ok := parseMetric(tok)
		if !ok {
			bad = append(bad, tok)
			continue
		}
		out = append(out, m)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("printed %q, which is not performance data: no metric can carry it", bad)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no performance data recorded")
	}
	return out, nil
}

var unitScale = map[string]float64{"": 1, "s": 1, "ms": 1e-3, "us": 1e-6, "%": 1, "c": 1}

func parseMetric(tok string) (perfMetric, bool) {
	if !perfFormat.MatchString(tok) {
		return perfMetric{}, false
	}
	label, rest, _ := strings.Cut(tok, "=")
	label = strings.Trim(label, "'")
	fields := strings.Split(rest, ";")
	num := strings.TrimRight(fields[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ%")
	scale, ok := unitScale[fields[0][len(num):]]
	if !ok {
		return perfMetric{}, false
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return perfMetric{}, false
	}
	m := perfMetric{Label: label, Raw: tok, Value: v * scale}
	plain := func(i int) *float64 {
		if i >= len(fields) {
			return nil
		}
		f, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return nil
		}
		f *= scale
		return &f
	}
	m.Warn, m.Crit = plain(1), plain(2)
	return m, true
}

// resultTimeout bounds how long an engine's check waits for results to show
// up in its component.
const resultTimeout = 30 * time.Second

// icingaRecorded returns the results Icinga recorded, which a metric
// writer's component looks for, and maps "host!service" to the service's
// CheckCommand as Icinga loaded them from contrib/: writers name their
// series after it.
func icingaRecorded(ctx context.Context, env *Env, in Inputs) ([]Result, map[string]string, error) {
	results := in["icinga2"].Results
	if len(results) == 0 {
		return nil, nil, errors.New("icinga2 recorded no results to look for")
	}
	commands, err := icingaCheckCommands(ctx, env)
	return results, commands, err
}

func icingaCheckCommands(ctx context.Context, env *Env) (map[string]string, error) {
	ic, ok := Lookup[*icinga](env, "icinga2")
	if !ok {
		return nil, fmt.Errorf("icinga2 is not running")
	}
	b, err := ic.API.Do(ctx, "GET", "/v1/objects/services?attrs=check_command", nil)
	if err != nil {
		return nil, err
	}
	var ans struct {
		Results []struct {
			Name  string
			Attrs struct {
				CheckCommand string `json:"check_command"`
			}
		}
	}
	if err := json.Unmarshal(b, &ans); err != nil {
		return nil, fmt.Errorf("icinga2 services: %w", err)
	}
	out := map[string]string{}
	for _, r := range ans.Results {
		out[r.Name] = r.Attrs.CheckCommand
	}
	return out, nil
}

func addr0(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// dialOK holds once something accepts TCP connections at addr.
func dialOK(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

// OutputsEnv names the directory the run keeps its outputs in (screenshots,
// rendered graphs); by default integration-out/ in the checkout.
const OutputsEnv = "INTEGRATION_OUT"

// KeepOutput saves a file among the run's outputs under rel; a no-op in
// runs that keep none (the self-test's).
func (e *Env) KeepOutput(rel string, data []byte) error {
	if e.Outputs == "" {
		return nil
	}
	return writeFile(filepath.Join(e.Outputs, rel), string(data), 0o644)
}

// writerConnected holds once Icinga reports an object of a feature type
// (GraphiteWriter, IdoMysqlConnection) connected.
func writerConnected(ctx context.Context, api *IcingaAPI, typ, name string) error {
	b, err := api.Do(ctx, "GET", "/v1/status/"+typ, nil)
	if err != nil {
		return err
	}
	var st struct {
		Results []struct {
			Status map[string]map[string]struct{ Connected bool }
		}
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("%s status: %w", typ, err)
	}
	for _, r := range st.Results {
		if r.Status[strings.ToLower(typ)][name].Connected {
			return nil
		}
	}
	return fmt.Errorf("%s %q not connected", typ, name)
}

// awaitResult polls ready until it holds or the deadline of wait passes,
// for data that arrives asynchronously (a writer's flush, the IDO's
// update). Each engine's check shares one deadline over all its results,
// so a component that got nothing fails in resultTimeout, not once per
// result.
func awaitResult(wait context.Context, what string, ready func() error) error {
	return Await(wait, nil, what, ready)
}
