package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// InfluxDB is influxd 1.6 fed by Icinga 2's InfluxdbWriter as
// docs/graphing.md configures it; its check runs every panel query of
// docs/grafana-dashboard.json the way Grafana would.
type InfluxDB struct {
	dir  string
	URL  string
	d    *Daemon
	root string
}

const influxDatabase = "icinga2"

// Start writes influxd's configuration (everything under the run's dir, no
// reporting, no self-monitoring) and starts it.
func (x *InfluxDB) Start(ctx context.Context, env *Env) error {
	dir, err := env.Dir("influxdb")
	if err != nil {
		return err
	}
	x.dir, x.root = dir, env.Root
	httpPort, err := FreePort()
	if err != nil {
		return err
	}
	rpcPort, err := FreePort()
	if err != nil {
		return err
	}
	conf := fmt.Sprintf(`reporting-disabled = true
bind-address = "127.0.0.1:%[2]d"
[meta]
  dir = "%[1]s/meta"
[data]
  dir = "%[1]s/data"
  wal-dir = "%[1]s/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:%[3]d"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
`, dir, rpcPort, httpPort)
	if err := writeFile(dir+"/influxdb.conf", conf, 0o644); err != nil {
		return err
	}
	if x.d, err = StartDaemon("influxd", dir+"/influxd.out", nil, "influxd", "run", "-config", dir+"/influxdb.conf"); err != nil {
		return err
	}
	x.URL = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	if err := Await(ctx, x.d, "influxd", func() error {
		_, err := httpGet(ctx, x.URL+"/ping")
		return err
	}); err != nil {
		return err
	}
	// Icinga's writer does not create its database: the operator does, as
	// docs/graphing.md says.
	return httpPost(ctx, x.URL+"/query", url.Values{"q": {"CREATE DATABASE " + influxDatabase}})
}

// Stop stops influxd by its PID.
func (x *InfluxDB) Stop() { x.d.Stop() }

// IcingaConfig is the InfluxdbWriter block of docs/graphing.md, pointed at
// this influxd, flushing every second instead of every ten.
func (x *InfluxDB) IcingaConfig(env *Env) string {
	block, err := documentedInfluxdbWriter(filepath.Join(env.Root, "docs", "graphing.md"))
	if err != nil {
		// Icinga refuses the file, and the run says why.
		return "/* " + err.Error() + " */ invalid"
	}
	port := x.URL[strings.LastIndex(x.URL, ":")+1:]
	block = regexp.MustCompile(`(?m)^(\s*)host = .*$`).ReplaceAllString(block, `${1}host = "127.0.0.1"`)
	block = regexp.MustCompile(`(?m)^(\s*)port = .*$`).ReplaceAllString(block, "${1}port = "+port)
	return strings.Replace(block, "{\n", "{\n  flush_interval = 1s\n", 1)
}

// documentedInfluxdbWriter is the InfluxdbWriter object the docs show.
func documentedInfluxdbWriter(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile("(?s)```\n(object InfluxdbWriter .*?\n})\n```").FindStringSubmatch(string(b))
	if m == nil {
		return "", fmt.Errorf("%s shows no InfluxdbWriter block", path)
	}
	return m[1] + "\n", nil
}

// IcingaReady: the writer posts over HTTP on every flush, so there is no
// connection to wait for.
func (x *InfluxDB) IcingaReady(ctx context.Context, api *IcingaAPI) error { return nil }

// influxSeries is one series of an InfluxQL answer.
type influxSeries struct {
	Name    string
	Tags    map[string]string
	Columns []string
	Values  [][]any
}

func (x *InfluxDB) query(ctx context.Context, q string) ([]influxSeries, error) {
	body, err := httpGet(ctx, x.URL+"/query?"+url.Values{"db": {influxDatabase}, "q": {q}, "epoch": {"s"}}.Encode())
	if err != nil {
		return nil, err
	}
	var ans struct {
		Results []struct {
			Series []influxSeries
			Error  string
		}
		Error string
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return nil, fmt.Errorf("influxdb: %w", err)
	}
	if ans.Error != "" {
		return nil, fmt.Errorf("influxdb: %s", ans.Error)
	}
	var out []influxSeries
	for _, r := range ans.Results {
		if r.Error != "" {
			return nil, fmt.Errorf("influxdb: %s", r.Error)
		}
		out = append(out, r.Series...)
	}
	return out, nil
}

// lastValue is a series' last non-null value of its second column.
// lastByTag maps each series' value of tag to its last value.
func lastByTag(series []influxSeries, tag string) map[string]float64 {
	got := map[string]float64{}
	for _, s := range series {
		if v, ok := s.lastValue(); ok {
			got[s.Tags[tag]] = v
		}
	}
	return got
}

func (s influxSeries) lastValue() (float64, bool) {
	for i := len(s.Values) - 1; i >= 0; i-- {
		if len(s.Values[i]) > 1 {
			if v, ok := s.Values[i][1].(float64); ok {
				return v, true
			}
		}
	}
	return 0, false
}

// Check holds when every metric Icinga recorded is stored with its value,
// and every panel of the Grafana dashboard shows each PBX's value.
func (x *InfluxDB) Check(ctx context.Context, env *Env, in Inputs) (Report, error) {
	var rep Report
	results, commands, err := icingaRecorded(ctx, env, in)
	if err != nil {
		return rep, err
	}
	wait, cancel := context.WithTimeout(ctx, resultTimeout)
	defer cancel()
	// want[measurement][metric][host] is the value Icinga recorded.
	want := map[string]map[string]map[string]float64{}
	for _, r := range results {
		name := fmt.Sprintf("%s %s", r.Case.Check, r.Case.Scenario)
		metrics, err := expectedMetrics(r)
		if err != nil {
			rep.Verdicts = append(rep.Verdicts, Verdict{name, err})
			continue
		}
		// The documented writer names the measurement after the command.
		meas := commands[r.Case.Scenario+"!"+r.Service]
		if want[meas] == nil {
			want[meas] = map[string]map[string]float64{}
		}
		for _, m := range metrics {
			if want[meas][m.Label] == nil {
				want[meas][m.Label] = map[string]float64{}
			}
			want[meas][m.Label][r.Case.Scenario] = m.Value
		}
		q := fmt.Sprintf(`SELECT last("value") FROM %q WHERE "hostname" = '%s' GROUP BY "metric"`, meas, r.Case.Scenario)
		// The writer flushes every second: wait, bounded, for all values.
		err = awaitResult(wait, "the values in InfluxDB", func() error {
			series, err := x.query(ctx, q)
			if err != nil {
				return err
			}
			got := lastByTag(series, "metric")
			var problems []string
			for _, m := range metrics {
				if v, ok := got[m.Label]; !ok || !sameNumber(v, m.Value) {
					problems = append(problems, fmt.Sprintf("%s: %s, plugin printed %s", m.Label, valueOrNone(v, ok), m.Raw))
				}
			}
			return problemsError(problems)
		})
		rep.Verdicts = append(rep.Verdicts, Verdict{fmt.Sprintf("%s: %d metrics stored", name, len(metrics)), err})
	}
	rep.Verdicts = append(rep.Verdicts, x.checkDashboard(ctx, filepath.Join(env.Root, "docs", "grafana-dashboard.json"), want)...)
	return rep, nil
}

// grafanaDashboard is the part of a dashboard JSON the check reads.
type grafanaDashboard struct {
	Time       struct{ From string }
	Templating struct {
		List []struct {
			Name, Type, Query string
		}
	}
	Panels []struct {
		Title   string
		Targets []struct {
			RefID string `json:"refId"`
			Query string
		}
	}
}

var (
	metricInQuery      = regexp.MustCompile(`"metric" = '([^']+)'`)
	measurementInQuery = regexp.MustCompile(`FROM "([^"]+)"`)
	// A Grafana variable ($name, ${name}) left in a query; a bare $ ends a
	// regular expression.
	unfilledVariable = regexp.MustCompile(`\$\{?[A-Za-z_]`)
)

// checkDashboard runs the dashboard's variable queries and then every panel
// query with the variables filled in as Grafana fills them: $host with
// every PBX ("All"), the dashboard's own time range.
func (x *InfluxDB) checkDashboard(ctx context.Context, path string, want map[string]map[string]map[string]float64) []Verdict {
	b, err := os.ReadFile(path)
	if err != nil {
		return []Verdict{{"dashboard", err}}
	}
	var d grafanaDashboard
	if err := json.Unmarshal(b, &d); err != nil {
		return []Verdict{{"dashboard", fmt.Errorf("%s: %w", path, err)}}
	}
	var out []Verdict
	vars := map[string]string{}
	var hosts []string
	for _, meas := range want {
		for _, byHost := range meas {
			for h := range byHost {
				if !slices.Contains(hosts, h) {
					hosts = append(hosts, h)
				}
			}
		}
	}
	sort.Strings(hosts)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		series, err := x.query(ctx, v.Query)
		var values []string
		for _, s := range series {
			for _, row := range s.Values {
				if len(row) > 1 {
					values = append(values, fmt.Sprint(row[1]))
				}
			}
		}
		sort.Strings(values)
		if err == nil && !slices.Equal(values, hosts) {
			err = fmt.Errorf("lists %v, want %v", values, hosts)
		}
		out = append(out, Verdict{fmt.Sprintf("dashboard variable $%s", v.Name), err})
		// Grafana's "All" for a regex: each value escaped, joined by |.
		quoted := make([]string, len(values))
		for i, s := range values {
			quoted[i] = regexp.QuoteMeta(s)
		}
		vars["$"+v.Name] = "(" + strings.Join(quoted, "|") + ")"
	}
	from := strings.TrimPrefix(d.Time.From, "now-")
	vars["$timeFilter"] = "time >= now() - " + from
	vars["$__interval"] = "1h" // what Grafana picks for 30 days on a screen
	if len(d.Panels) == 0 {
		out = append(out, Verdict{"dashboard", fmt.Errorf("%s has no panels", path)})
	}
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			name := fmt.Sprintf("panel %q %s", p.Title, t.RefID)
			out = append(out, Verdict{name, x.checkPanelQuery(ctx, t.Query, vars, want)})
		}
	}
	return out
}

// fillVariables replaces Grafana's variables in a query with their values;
// a variable without a value is an error.
func fillVariables(query string, vars map[string]string) (string, error) {
	q := query
	// Longest names first: $hostname before $host.
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	for _, k := range names {
		q = strings.ReplaceAll(q, k, vars[k])
	}
	if unfilledVariable.MatchString(q) {
		return "", fmt.Errorf("a variable the check does not fill: %s", q)
	}
	return q, nil
}

func (x *InfluxDB) checkPanelQuery(ctx context.Context, query string, vars map[string]string, want map[string]map[string]map[string]float64) error {
	q, err := fillVariables(query, vars)
	if err != nil {
		return err
	}
	series, err := x.query(ctx, q)
	if err != nil {
		return err
	}
	if len(series) == 0 {
		return fmt.Errorf("returns nothing: %s", q)
	}
	mm, gm := measurementInQuery.FindStringSubmatch(query), metricInQuery.FindStringSubmatch(query)
	if mm == nil || gm == nil {
		return fmt.Errorf("cannot tell which metric it shows: %s", query)
	}
	expected := want[mm[1]][gm[1]]
	if len(expected) == 0 {
		return fmt.Errorf("shows %s of %s, which no check printed", gm[1], mm[1])
	}
	got := lastByTag(series, "hostname")
	var problems []string
	for h, w := range expected {
		if v, ok := got[h]; !ok || !sameNumber(v, w) {
			problems = append(problems, fmt.Sprintf("%s: %s, want %g", h, valueOrNone(v, ok), w))
		}
	}
	sort.Strings(problems)
	return problemsError(problems)
}

func newInfluxDB() Component { return &InfluxDB{} }
