package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// IcingaWeb is Icinga Web 2 with the monitoring module on Icinga 2's IDO
// (MariaDB) and the graphite module on the run's graphite-web, served by
// PHP's built-in server from files in the run's dir. Its check opens each
// service's detail page in headless Chromium and reads it as an operator
// would.
type IcingaWeb struct {
	dir string
	db  *mariaDB
	ido Database
	web *webUI
}

// The databases it asks the run's MariaDB for.
const (
	idoDatabase = "icinga_ido"
	webDatabase = "icingaweb"
)

// Start creates the IDO database and starts Icinga Web 2 with the
// monitoring module on it.
func (w *IcingaWeb) Start(ctx context.Context, env *Env) error {
	db, ok := Lookup[*mariaDB](env, "mariadb")
	if !ok {
		return errors.New("icingaweb needs mariadb")
	}
	dir, err := env.Dir("icingaweb")
	if err != nil {
		return err
	}
	w.dir, w.db = dir, db
	if w.ido, err = db.Database(ctx, idoDatabase); err != nil {
		return err
	}
	if err := db.LoadFile(ctx, idoDatabase, "/usr/share/icinga2-ido-mysql/schema/mysql.sql"); err != nil {
		return err
	}
	w.web, err = startWebUI(ctx, env, webUIConfig{
		Dir: dir, Database: webDatabase, Modules: []string{"monitoring"},
		Resources: map[string]Database{"icinga_ido": w.ido},
		Files: map[string]string{
			"modules/monitoring/backends.ini": "[icinga]\ntype = \"ido\"\nresource = \"icinga_ido\"\n",
			"modules/monitoring/config.ini":   "[security]\nprotected_customvars = \"*pw*,*pass*,community\"\n",
		},
	})
	return err
}

// Stop stops PHP's server by its PID.
func (w *IcingaWeb) Stop() { w.web.Stop() }

// IcingaConfig connects Icinga 2 to the IDO database Icinga Web reads.
func (w *IcingaWeb) IcingaConfig(env *Env) string {
	return fmt.Sprintf(`library "db_ido_mysql"
object IdoMysqlConnection "ido" {
  host = %q
  port = %d
  user = %q
  password = %q
  database = %q
  // One node: no HA handover to wait for before it writes.
  enable_ha = false
}
`, w.ido.Host, w.ido.Port, w.ido.User, w.ido.Password, w.ido.Name)
}

// IcingaReady waits until the IDO connection is up.
func (w *IcingaWeb) IcingaReady(ctx context.Context, api *IcingaAPI) error {
	return Await(ctx, nil, "Icinga's IDO connection", func() error {
		return writerConnected(ctx, api, "IdoMysqlConnection", "ido")
	})
}

// servicePage is what the check reads from a service's detail page.
type servicePage struct {
	State  string
	Output string
	Perf   [][]string
	Graphs []struct {
		Src                  string
		Width, Height, Drawn int
	}
	HTML string
	// Icinga DB Web: the states of the balls in the plugin output, in
	// order, and the service's history, newest first.
	Balls   []string
	History []struct{ State, Output string }
	// Pies: the fill colours of each metric's pie in the table, by label.
	Pies map[string][]string
	// RangesDropped: the table shows Icinga 2's normalised performance
	// data, which keeps thresholds that are plain numbers only.
	RangesDropped bool `json:"-"`
}

// piesJS defines pies(root): the fill colours of each performance-data
// row's pie (Icinga Web's InlinePie, in both UIs), by the row's label.
const piesJS = `const pies = root => {
  const out = {};
  const rows = [...root.querySelectorAll('table.performance-data-table tr')];
  if (!rows.length) return out;
  const col = [...rows[0].children].findIndex(c => c.textContent.trim() === 'Label');
  rows.slice(1).forEach(tr => {
    const label = tr.children[col];
    if (!label) return;
    out[label.textContent.trim()] = [...tr.querySelectorAll('.inline-pie [style]')]
      .map(e => (/fill:\s*(#[0-9a-f]{6})/i.exec(e.getAttribute('style')) || [])[1]).filter(Boolean).map(c => c.toLowerCase());
  });
  return out;
};
`

// graphsJS defines graphs(root): the graphite module's images under root,
// with the number of pixels of the series' colour (#1a7dd7, contrib's
// templates and the module's default): a graph that loaded but shows no
// line has none.
const graphsJS = `const graphs = root => {
  const drawn = img => {
    if (!img.naturalWidth) return 0;
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d'); g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    // Above the legend, whose swatch has the same colour.
    const plot = 4 * c.width * Math.floor(c.height * 0.75);
    for (let i = 0; i < plot; i += 4) {
      if (Math.abs(d[i] - 0x1a) + Math.abs(d[i+1] - 0x7d) + Math.abs(d[i+2] - 0xd7) < 40) n++;
    }
    return n;
  };
  return [...root.querySelectorAll('img.graphiteImg')].map(i => ({src: i.getAttribute('src'), width: i.naturalWidth, height: i.naturalHeight, drawn: drawn(i)}));
};`

const servicePageScript = piesJS + `(() => {
  const col = document.querySelector('#col1');
  const states = [...col.querySelectorAll('.service-detail-state .state-label')];
  // Line 1 and the long output are two blocks under "Plugin Output".
  const outs = [...col.querySelectorAll('[id^="check-output-"] .plugin-output')];
  const rows = [...col.querySelectorAll('table.performance-data-table tr')].map(tr => [...tr.children].map(c => c.innerText.trim()));
  ` + graphsJS + `
  return {state: states.length ? states[states.length - 1].innerText.trim() : '', output: outs.map(o => o.innerText).join('\n'),
    perf: rows, pies: pies(col), graphs: graphs(col), html: document.documentElement.outerHTML};
})()`

// Check opens every service Icinga checked, once the IDO holds its result.
func (w *IcingaWeb) Check(ctx context.Context, env *Env, in Inputs) (Report, error) {
	return checkPages(ctx, env, in, "icingaweb", w)
}

// idoStatus is a service's current result as the IDO holds it, which is
// what Icinga Web shows.
func (w *IcingaWeb) idoStatus(ctx context.Context, r Result) (Result, error) {
	out, err := w.db.Script(ctx, idoDatabase, fmt.Sprintf(`SELECT JSON_OBJECT('state', s.current_state,
  'output', s.output, 'long', s.long_output, 'perfdata', s.perfdata)
FROM icinga_servicestatus s JOIN icinga_objects o ON o.object_id = s.service_object_id
WHERE o.name1 = '%s' AND o.name2 = '%s' AND o.is_active = 1`, r.Case.Scenario, r.Service))
	if err != nil {
		return Result{}, err
	}
	if strings.TrimSpace(out) == "" {
		return Result{}, errors.New("not in the IDO yet")
	}
	var st struct {
		State                  int
		Output, Long, Perfdata string
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		return Result{}, fmt.Errorf("IDO: %w", err)
	}
	// The IDO keeps the long output's line breaks escaped; Icinga Web
	// unescapes them for display.
	long := strings.ReplaceAll(st.Long, `\n`, "\n")
	return Result{Case: r.Case, Service: r.Service, State: st.State, Output: st.Output, Long: long, Perfdata: st.Perfdata}, nil
}

// stateOf reads a state word as Icinga Web shows it (-1 for PENDING).
func stateOf(word string) int {
	for s := OK; s <= Unknown; s++ {
		if StateName(s) == word {
			return s
		}
	}
	return -1
}

// stored is the IDO's result (webEngine).
func (w *IcingaWeb) stored(ctx context.Context, r Result) (Result, error) { return w.idoStatus(ctx, r) }

// judge adds nothing: the monitoring module draws no state balls and
// the IDO's history is not read (webEngine).
func (w *IcingaWeb) judge(servicePage, Result) []string { return nil }

// page opens the monitoring module's service detail page (webEngine).
func (w *IcingaWeb) page(ctx context.Context, b *Browser, r Result) (servicePage, []byte, error) {
	u := w.web.URL + "/monitoring/service/show?" + url.Values{"host": {r.Case.Scenario}, "service": {r.Service}}.Encode()
	return visitPage(ctx, b, u, true, servicePageScript)
}

// judgePage holds when the page shows the case's state, the result's line
// 1 and long output, every metric in the performance-data table, a loaded
// graph of the service, and never the password.
func judgePage(page servicePage, r Result, password string) error {
	var problems []string
	if page.State != StateName(r.Case.Want) {
		problems = append(problems, fmt.Sprintf("state %q, want %s", page.State, StateName(r.Case.Want)))
	}
	lines := nonEmpty(page.Output)
	if len(lines) == 0 || lines[0] != strings.TrimRight(r.Output, " ") {
		problems = append(problems, fmt.Sprintf("plugin output starts %q, want %q", head(lines, 1), r.Output))
	}
	for _, l := range nonEmpty(r.Long) {
		if !containsLine(lines, l) {
			problems = append(problems, fmt.Sprintf("long output lacks %q", l))
		}
	}
	problems = append(problems, checkPerfTable(page.Perf, r, page.RangesDropped)...)
	problems = append(problems, checkGraphs(page, r)...)
	problems = append(problems, checkPies(page.Pies, r)...)
	if strings.Contains(page.HTML, password) {
		problems = append(problems, "the page shows the password")
	}
	return problemsError(problems)
}

// InlinePie's colours for a value in the OK, WARNING and CRITICAL range.
const (
	pieOK       = "#44bb77"
	pieWarning  = "#ffaa44"
	pieCritical = "#ff5566"
)

// checkPies holds when the pies of app_state and app_status, whose codes
// above 0 are not "running" and "Ok", take an alert colour then and are
// never green: a stopped connector's "2 of 2" must not read as OK.
func checkPies(pies map[string][]string, r Result) []string {
	metrics, err := expectedMetrics(r)
	if err != nil {
		return nil // reported with the table
	}
	var problems []string
	for _, m := range metrics {
		if (m.Label != "app_state" && m.Label != "app_status") || m.Value <= 0 {
			continue
		}
		fills := pies[m.Label]
		if slices.Contains(fills, pieOK) || !(slices.Contains(fills, pieWarning) || slices.Contains(fills, pieCritical)) {
			problems = append(problems, fmt.Sprintf("the pie of %s=%v is drawn in %v, want warning or critical colours, no green", m.Label, m.Value, fills))
		}
	}
	return problems
}

// checkGraphs holds when the page shows at least one graph of the service
// and every one draws a line.
func checkGraphs(page servicePage, r Result) []string {
	var problems []string
	shown := 0
	for _, g := range page.Graphs {
		u, err := url.Parse(g.Src)
		if err != nil || u.Query().Get("host.name") != r.Case.Scenario || u.Query().Get("service.name") != r.Service {
			continue
		}
		// The metric is the template's macro: itgrix_metric in contrib's
		// templates, perfdata in the module's default one.
		label := u.Query().Get("itgrix_metric") + u.Query().Get("perfdata")
		switch {
		case g.Width == 0:
			problems = append(problems, fmt.Sprintf("graph of %s did not load", label))
		case g.Drawn < 20:
			problems = append(problems, fmt.Sprintf("graph of %s draws no line", label))
		default:
			shown++
		}
	}
	if shown == 0 && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("no graph of the service (%d images)", len(page.Graphs)))
	}
	return problems
}

func containsLine(lines []string, l string) bool {
	for _, x := range lines {
		if strings.TrimSpace(x) == strings.TrimSpace(l) {
			return true
		}
	}
	return false
}

// checkPerfTable holds when the performance-data table lists every metric
// the plugin printed with its value and, where it printed them, its
// thresholds; with rangesDropped, a threshold that is a range ("30:") is
// shown as none.
func checkPerfTable(rows [][]string, r Result, rangesDropped bool) []string {
	metrics, err := expectedMetrics(r)
	if err != nil {
		return []string{err.Error()}
	}
	if len(rows) < 2 {
		return []string{"no performance-data table"}
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	byLabel := map[string][]string{}
	for _, row := range rows[1:] {
		if i, ok := col["Label"]; ok && i < len(row) {
			byLabel[row[i]] = row
		}
	}
	cell := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	var problems []string
	for _, m := range metrics {
		row, ok := byLabel[m.Label]
		if !ok {
			problems = append(problems, "perfdata table lacks "+m.Label)
			continue
		}
		if v, scale, ok := shownNumber(cell(row, "Value")); !ok || !closeShown(v, scale, m.Value) {
			problems = append(problems, fmt.Sprintf("perfdata table: %s shows %q, plugin printed %s", m.Label, cell(row, "Value"), m.Raw))
		}
		fields := strings.Split(strings.SplitN(m.Raw, "=", 2)[1], ";")
		for i, name := range []string{"Warning", "Critical"} {
			if i+1 >= len(fields) || fields[i+1] == "" {
				continue
			}
			shown, printed := cell(row, name), fields[i+1]
			if v, scale, ok := shownNumber(shown); ok {
				if p, err := strconv.ParseFloat(printed, 64); err == nil && closeShown(v, scale, p) {
					continue
				}
			}
			if _, err := strconv.ParseFloat(printed, 64); err != nil && rangesDropped && shown == "None" {
				continue
			}
			if shown != printed {
				problems = append(problems, fmt.Sprintf("perfdata table: %s %s shows %q, plugin printed %q", m.Label, strings.ToLower(name), shown, printed))
			}
		}
	}
	return problems
}

// shownNumber reads a value as Icinga Web shows it ("10.00", "1.76 ms"),
// in the base unit, and the scale of the unit it was shown in.
func shownNumber(s string) (v, scale float64, ok bool) {
	num, unit, _ := strings.Cut(strings.TrimSpace(s), " ")
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, 0, false
	}
	// Seconds grow into minutes, hours and days as they get larger
	// (users_cache_age: "5.32 m", "3.08 d").
	scale, ok = map[string]float64{"": 1, "s": 1, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "%": 1, "m": 60, "h": 3600, "d": 86400}[unit]
	return v * scale, scale, ok
}

// closeShown allows for Icinga Web's two decimals in the shown unit.
func closeShown(shown, scale, printed float64) bool {
	return math.Abs(shown-printed) <= 0.0051*scale
}

func newIcingaWeb() Component { return &IcingaWeb{} }
