package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// IcingaWeb is Icinga Web 2 with the monitoring module on Icinga 2's IDO
// (MariaDB) and the graphite module on the run's graphite-web, served by
// PHP's built-in server from files in the run's dir. Its check opens each
// service's detail page in headless Chromium and reads it as an operator
// would.
type IcingaWeb struct {
	dir string
	URL string
	db  *mariaDB
	ido Database
	d   *Daemon
}

// The databases it asks the run's MariaDB for.
const (
	idoDatabase = "icinga_ido"
	webDatabase = "icingaweb"
)

// Start creates the IDO and Icinga Web databases, writes Icinga Web's
// configuration and starts PHP's server.
func (w *IcingaWeb) Start(ctx context.Context, env *Env) error {
	db, ok := Lookup[*mariaDB](env, "mariadb")
	if !ok {
		return errors.New("icingaweb needs mariadb")
	}
	g, ok := Lookup[*Graphite](env, "graphite")
	if !ok {
		return errors.New("icingaweb needs graphite")
	}
	dir, err := env.Dir("icingaweb")
	if err != nil {
		return err
	}
	w.dir, w.db = dir, db
	if w.ido, err = db.Database(ctx, idoDatabase); err != nil {
		return err
	}
	web, err := db.Database(ctx, webDatabase)
	if err != nil {
		return err
	}
	for name, schema := range map[string]string{
		idoDatabase: "/usr/share/icinga2-ido-mysql/schema/mysql.sql",
		webDatabase: "/usr/share/icingaweb2/schema/mysql.schema.sql",
	} {
		b, err := os.ReadFile(schema)
		if err != nil {
			return err
		}
		if _, err := w.sql(ctx, name, string(b)); err != nil {
			return fmt.Errorf("loading %s: %w", schema, err)
		}
	}
	port, err := FreePort()
	if err != nil {
		return err
	}
	conf := dir + "/etc"
	files := map[string]string{
		"config.ini": fmt.Sprintf(`[global]
show_stacktraces = "1"
config_backend = "db"
config_resource = "icingaweb_db"
module_path = "/usr/share/icingaweb2/modules"

[logging]
log = "file"
level = "WARNING"
file = "%s/icingaweb2.log"
`, dir),
		"resources.ini": fmt.Sprintf(`[icingaweb_db]
type = "db"
db = "mysql"
host = "%[1]s"
port = "%[2]d"
dbname = "%[3]s"
username = "%[4]s"
password = "%[5]s"
charset = "utf8"

[icinga_ido]
type = "db"
db = "mysql"
host = "%[6]s"
port = "%[7]d"
dbname = "%[8]s"
username = "%[9]s"
password = "%[10]s"
charset = "utf8"
`, web.Host, web.Port, web.Name, web.User, web.Password, w.ido.Host, w.ido.Port, w.ido.Name, w.ido.User, w.ido.Password),
		// The web server authenticates (router.php sets REMOTE_USER), as
		// behind an Apache with its own login.
		"authentication.ini":              "[web-server]\nbackend = \"external\"\n",
		"roles.ini":                       "[operators]\nusers = \"operator\"\npermissions = \"*\"\n",
		"modules/monitoring/backends.ini": "[icinga]\ntype = \"ido\"\nresource = \"icinga_ido\"\n",
		"modules/monitoring/config.ini":   "[security]\nprotected_customvars = \"*pw*,*pass*,community\"\n",
		// Graphs of the last quarter hour: the run's checks are minutes old.
		"modules/graphite/config.ini": fmt.Sprintf("[graphite]\nurl = %q\n\n[ui]\ndefault_time_range = \"15\"\ndefault_time_range_unit = \"minutes\"\n", g.WebURL+"/"),
	}
	for name, content := range files {
		if err := writeFile(filepath.Join(conf, name), content, 0o600); err != nil {
			return err
		}
	}
	// The graph templates contrib/ ships, installed as the operator would.
	templates, _ := filepath.Glob(filepath.Join(env.Contrib, "icingaweb2", "graphite-*.ini"))
	if len(templates) == 0 {
		return errors.New("no contrib/icingaweb2/graphite-*.ini")
	}
	for _, t := range templates {
		if err := copyFile(t, filepath.Join(conf, "modules", "graphite", "templates", filepath.Base(t)), 0o644); err != nil {
			return err
		}
	}
	for _, m := range []string{"monitoring", "graphite"} {
		if err := mkdirAll(conf + "/enabledModules"); err != nil {
			return err
		}
		if err := os.Symlink("/usr/share/icingaweb2/modules/"+m, conf+"/enabledModules/"+m); err != nil {
			return err
		}
	}
	router := `<?php
// PHP's built-in server: files under public/ as they are, everything else
// to Icinga Web's front controller, logged in as the web server would.
$_SERVER['REMOTE_USER'] = 'operator';
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path !== '/' && is_file('/usr/share/icingaweb2/public' . $path)) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = '/usr/share/icingaweb2/public/index.php';
require '/usr/share/icingaweb2/public/index.php';
`
	if err := writeFile(dir+"/router.php", router, 0o644); err != nil {
		return err
	}
	addr := addr0(port)
	// Workers so that the page's graphs load side by side.
	phpEnv := append(DaemonEnv(), "ICINGAWEB_CONFIGDIR="+conf, "PHP_CLI_SERVER_WORKERS=4")
	if w.d, err = StartDaemon("php", dir+"/php.out", phpEnv, "php", "-S", addr, "-t", "/usr/share/icingaweb2/public", dir+"/router.php"); err != nil {
		return err
	}
	w.URL = "http://" + addr
	return Await(ctx, w.d, "Icinga Web 2", func() error {
		_, err := httpGet(ctx, w.URL+"/about")
		return err
	})
}

// Stop stops PHP's server by its PID.
func (w *IcingaWeb) Stop() { w.d.Stop() }

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
}

const servicePageScript = `(() => {
  const col = document.querySelector('#col1');
  const states = [...col.querySelectorAll('.service-detail-state .state-label')];
  // Line 1 and the long output are two blocks under "Plugin Output".
  const outs = [...col.querySelectorAll('[id^="check-output-"] .plugin-output')];
  const rows = [...col.querySelectorAll('table.performance-data-table tr')].map(tr => [...tr.children].map(c => c.innerText.trim()));
  // Pixels of the series' colour (#1a7dd7, contrib's templates and the
  // module's default): a graph that loaded but shows no line has none.
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
  const graphs = [...col.querySelectorAll('img.graphiteImg')].map(i => ({src: i.getAttribute('src'), width: i.naturalWidth, height: i.naturalHeight, drawn: drawn(i)}));
  return {state: states.length ? states[states.length - 1].innerText.trim() : '', output: outs.map(o => o.innerText).join('\n'),
    perf: rows, graphs: graphs, html: document.documentElement.outerHTML};
})()`

// Check opens every service Icinga checked, once the IDO holds its result.
func (w *IcingaWeb) Check(ctx context.Context, env *Env, in Inputs) (Report, error) {
	var rep Report
	icinga := in["icinga2"]
	if len(icinga.Results) == 0 {
		return rep, errors.New("icinga2 recorded no results to look for")
	}
	wait, cancel := context.WithTimeout(ctx, resultTimeout)
	defer cancel()
	dir, err := env.Dir("icingaweb/chromium")
	if err != nil {
		return rep, err
	}
	b, err := StartBrowser(dir)
	if err != nil {
		return rep, err
	}
	defer b.Close()
	// The IDO is written asynchronously: the pages show the results once
	// the database holds them.
	inIDO := map[int]error{}
	for i, r := range icinga.Results {
		inIDO[i] = awaitResult(wait, "the result in the IDO", func() error {
			st, err := w.idoStatus(ctx, r)
			if err != nil {
				return err
			}
			if strings.TrimRight(st.Output, " ") != strings.TrimRight(r.Output, " ") {
				return fmt.Errorf("IDO has %q", st.Output)
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
		err := inIDO[i]
		if err == nil {
			var shown *Result
			shown, err = w.checkService(ctx, env, b, r)
			if shown != nil {
				// What the page shows, judged like any engine's result
				// against the plugin run directly (its exit code too).
				rep.Results = append(rep.Results, *shown)
			}
		}
		rep.Verdicts = append(rep.Verdicts, Verdict{fmt.Sprintf("%s %s: service detail page", r.Case.Check, r.Case.Scenario), err})
	}
	return rep, nil
}

// sql runs statements from stdin (a schema is too long for -e) as
// MariaDB's root in database db and returns the rows unescaped (--raw).
func (w *IcingaWeb) sql(ctx context.Context, db, statements string) (string, error) {
	cmd := exec.CommandContext(ctx, "mariadb", "--defaults-file="+w.db.cnf, "-uroot", "--batch", "--raw", "--skip-column-names", db)
	cmd.Env = DaemonEnv()
	cmd.Stdin = strings.NewReader(statements)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("mariadb: %w: %s", err, lastLines(string(out), 10))
	}
	return string(out), nil
}

// idoStatus is a service's current result as the IDO holds it, which is
// what Icinga Web shows.
func (w *IcingaWeb) idoStatus(ctx context.Context, r Result) (Result, error) {
	out, err := w.sql(ctx, idoDatabase, fmt.Sprintf(`SELECT JSON_OBJECT('state', s.current_state,
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

// checkService opens the service's page and judges it against the IDO's
// result read around the visit: Icinga may run the check again meanwhile
// (its own schedule), and then the visit is repeated. It also returns what
// the page shows as a Result: state, line 1 and long output from the page,
// the performance data Icinga Web read (the IDO's), the plugin's argv.
func (w *IcingaWeb) checkService(ctx context.Context, env *Env, b *Browser, r Result) (*Result, error) {
	var err error
	for try := 0; try < 3; try++ {
		var before, after Result
		var p *Page
		if before, err = w.idoStatus(ctx, r); err != nil {
			return nil, err
		}
		if p, err = w.visit(ctx, env, b, r); err != nil {
			return nil, err
		}
		if after, err = w.idoStatus(ctx, r); err != nil {
			return nil, err
		}
		if before.State != after.State || before.Output != after.Output || before.Long != after.Long || before.Perfdata != after.Perfdata {
			err = errors.New("the check ran again during every visit")
			continue
		}
		var page servicePage
		if err := json.Unmarshal(p.Value, &page); err != nil {
			return nil, fmt.Errorf("reading the page: %w", err)
		}
		shown := Result{Case: r.Case, Service: r.Service, State: stateOf(page.State), Perfdata: before.Perfdata,
			Argv: r.Argv, Environ: r.Environ}
		if lines := nonEmpty(page.Output); len(lines) > 0 {
			shown.Output, shown.Long = lines[0], strings.Join(lines[1:], "\n")
		}
		return &shown, judgePage(page, before, env.Login.Password)
	}
	return nil, err
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

func (w *IcingaWeb) visit(ctx context.Context, env *Env, b *Browser, r Result) (*Page, error) {
	u := w.URL + "/monitoring/service/show?" + url.Values{"host": {r.Case.Scenario}, "service": {r.Service}}.Encode()
	p, err := b.Visit(ctx, u, 1280, 1400, servicePageScript)
	if err != nil {
		return nil, err
	}
	return p, env.KeepOutput(filepath.Join("icingaweb", r.Case.Scenario+"-"+string(r.Case.Check)+".png"), p.PNG)
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
	problems = append(problems, checkPerfTable(page.Perf, r)...)
	problems = append(problems, checkGraphs(page, r)...)
	if strings.Contains(page.HTML, password) {
		problems = append(problems, "the page shows the password")
	}
	return problemsError(problems)
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
// thresholds.
func checkPerfTable(rows [][]string, r Result) []string {
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
