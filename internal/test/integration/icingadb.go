package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// IcingaDB is today's Icinga stack: Icinga 2's icingadb feature writing to
// the run's Redis, the icingadb daemon moving it into its database in the
// run's MariaDB, and Icinga DB Web with the graphite module reading it, on
// Icinga Web 2 served by PHP's built-in server. Its check opens each
// service's detail page and its history in headless Chromium.
type IcingaDB struct {
	dir   string
	db    *mariaDB
	sql   Database
	redis *redis
	d     *Daemon
	web   *webUI
	hosts int // the PBXs, once Icinga DB holds them all Icinga is connected
}

func newIcingaDB() Component { return &IcingaDB{} }

const icingadbDatabase = "icingadb"

// Start loads Icinga DB's schema, starts the icingadb daemon (it waits for
// Icinga 2's heartbeat in Redis by itself) and Icinga Web 2.
func (i *IcingaDB) Start(ctx context.Context, env *Env) error {
	var ok bool
	if i.db, ok = Lookup[*mariaDB](env, "mariadb"); !ok {
		return errors.New("icingadb needs mariadb")
	}
	if i.redis, ok = Lookup[*redis](env, "redis"); !ok {
		return errors.New("icingadb needs redis")
	}
	i.hosts = len(env.PBXs)
	var err error
	if i.dir, err = env.Dir("icingadb"); err != nil {
		return err
	}
	if i.sql, err = i.db.Database(ctx, icingadbDatabase); err != nil {
		return err
	}
	if err := i.db.LoadFile(ctx, icingadbDatabase, "/usr/share/icingadb/schema/mysql/schema.sql"); err != nil {
		return err
	}
	conf := fmt.Sprintf(`database:
  type: mysql
  host: %q
  port: %d
  database: %q
  user: %q
  password: %q
redis:
  host: 127.0.0.1
  port: %d
  password: %q
logging:
  level: info
  output: console
`, i.sql.Host, i.sql.Port, i.sql.Name, i.sql.User, i.sql.Password, i.redis.Port, i.redis.Password)
	if err := writeFile(filepath.Join(i.dir, "config.yml"), conf, 0o600); err != nil {
		return err
	}
	if i.d, err = StartDaemon("icingadb", filepath.Join(i.dir, "daemon.log"), nil, "icingadb", "--config", filepath.Join(i.dir, "config.yml")); err != nil {
		return err
	}
	i.web, err = startWebUI(ctx, env, webUIConfig{
		Dir: i.dir, Database: "icingadb_web", Modules: []string{"icingadb"},
		Resources: map[string]Database{"icingadb": i.sql},
		Files: map[string]string{
			"modules/icingadb/config.ini": "[icingadb]\nresource = \"icingadb\"\n\n[security]\nprotected_customvars = \"*pw*,*pass*,community\"\n",
			"modules/icingadb/redis.ini": fmt.Sprintf("[redis1]\nhost = \"127.0.0.1\"\nport = \"%d\"\npassword = %q\n",
				i.redis.Port, i.redis.Password),
		},
	})
	if err != nil {
		return err
	}
	return i.d.Exited()
}

// Stop stops PHP's server and the icingadb daemon by their PIDs.
func (i *IcingaDB) Stop() {
	i.web.Stop()
	i.d.Stop()
}

// IcingaConfig points Icinga 2's icingadb feature at the run's Redis.
func (i *IcingaDB) IcingaConfig(env *Env) string {
	return fmt.Sprintf(`object IcingaDB "icingadb" {
  host = "127.0.0.1"
  port = %d
  password = %q
}
`, i.redis.Port, i.redis.Password)
}

// IcingaReady waits until Icinga DB holds every PBX's host: Icinga 2 is
// connected to Redis (2.13 reports no status for the feature) and the
// daemon has synced its configuration.
func (i *IcingaDB) IcingaReady(ctx context.Context, _ *IcingaAPI) error {
	return Await(ctx, i.d, "Icinga's hosts in Icinga DB", func() error {
		out, err := i.db.SQL(ctx, icingadbDatabase, "SELECT COUNT(*) FROM host")
		if err != nil {
			return err
		}
		if out != fmt.Sprint(i.hosts) {
			return fmt.Errorf("%s of %d hosts", out, i.hosts)
		}
		return nil
	})
}

// Check opens every service Icinga checked, once Icinga DB holds its result.
func (i *IcingaDB) Check(ctx context.Context, env *Env, in Inputs) (Report, error) {
	return checkPages(ctx, env, in, "icingadb", i)
}

// stored is a service's current result as Icinga DB Web shows it: the
// state Icinga 2 keeps in Redis, which the page lays over the database's
// (the database follows a moment later) (webEngine).
func (i *IcingaDB) stored(ctx context.Context, r Result) (Result, error) {
	id, err := i.db.SQL(ctx, icingadbDatabase, fmt.Sprintf(`SELECT LOWER(HEX(s.id)) FROM service s JOIN host h ON h.id = s.host_id
WHERE h.name = '%s' AND s.name = '%s'`, r.Case.Scenario, r.Service))
	if err != nil {
		return Result{}, err
	}
	if id == "" {
		return Result{}, errors.New("not in Icinga DB yet")
	}
	out, err := i.redis.Command(ctx, "HGET", "icinga:service:state", id)
	if err != nil {
		return Result{}, err
	}
	if strings.TrimSpace(out) == "" {
		return Result{}, errors.New("no state in Redis yet")
	}
	var st struct {
		State    int    `json:"state"`
		Output   string `json:"output"`
		Long     string `json:"long_output"`
		Perfdata string `json:"performance_data"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		return Result{}, fmt.Errorf("redis: %w", err)
	}
	return Result{Case: r.Case, Service: r.Service, State: st.State, Output: st.Output, Long: st.Long, Perfdata: st.Perfdata}, nil
}

// page opens Icinga DB Web's service detail page, then the service's
// history (webEngine).
func (i *IcingaDB) page(ctx context.Context, b *Browser, r Result) (servicePage, []byte, error) {
	q := url.Values{"name": {r.Service}, "host.name": {r.Case.Scenario}}.Encode()
	page, png, err := visitPage(ctx, b, i.web.URL+"/icingadb/service?"+q, true, icingadbPageScript)
	if err != nil {
		return page, nil, err
	}
	page.RangesDropped = true
	h, _, err := visitPage(ctx, b, i.web.URL+"/icingadb/service/history?"+q, false, icingadbHistoryScript)
	page.History = h.History
	return page, png, err
}

// judge holds when every [STATE] token of the plugin's output is drawn as a
// state ball of that state, in its place (the page's text, with each ball
// read back as its token, is the plugin's), and, for a service that is not
// OK, when its history shows the change to its state (webEngine).
func (i *IcingaDB) judge(page servicePage, r Result) []string {
	var problems []string
	want := stateTokens.FindAllString(r.Output+"\n"+r.Long, -1)
	if len(page.Balls) != len(want) {
		problems = append(problems, fmt.Sprintf("%d state balls in the plugin output, want %d (%v)", len(page.Balls), len(want), want))
	} else {
		for k, w := range want {
			if "["+page.Balls[k]+"]" != w {
				problems = append(problems, fmt.Sprintf("state ball %d is %s, the plugin printed %s", k+1, page.Balls[k], w))
			}
		}
	}
	if r.Case.Want != OK {
		found := false
		for _, h := range page.History {
			if h.State == StateName(r.Case.Want) && strings.HasPrefix(h.Output, StateName(r.Case.Want)+":") {
				found = true
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf("history shows no change to %s (%d events: %+v)", StateName(r.Case.Want), len(page.History), page.History))
		}
	}
	return problems
}

// stateTokens are the subcheck states Icinga DB Web draws as balls.
var stateTokens = regexp.MustCompile(`[\[(](OK|WARNING|CRITICAL|UNKNOWN|UP|DOWN)[\])]`)

// icingadbPageScript reads the service detail page: the state from the
// header; the plugin output with each state ball read back as the token it
// replaced, and the balls' states in order; the performance-data table
// (textContent: rows past the sixth are collapsed); the graphs. It opens a
// collapsed plugin output first, for the screenshot.
const icingadbPageScript = stateOfJS + piesJS + `(async () => {
  const col = document.querySelector('#col1');
  const box = col.querySelector('[id^="check-output-"]');
  if (box && box.classList.contains('collapsed')) {
    const c = box.nextElementSibling;
    if (c && c.classList.contains('collapsible-control')) { c.click(); await new Promise(r => setTimeout(r, 500)); }
  }
  const out = col.querySelector('[id^="check-output-"] .plugin-output');
  const balls = [];
  let text = '';
  if (out) {
    const copy = out.cloneNode(true);
    copy.querySelectorAll('.state-ball').forEach(b => {
      const st = stateOf(b);
      balls.push(st);
      b.replaceWith('[' + st + ']');
    });
    text = copy.textContent;
  }
  const state = col.querySelector('.objectHeader .state-text');
  const rows = [...col.querySelectorAll('table.performance-data-table tr')].map(tr => [...tr.children].map(c => c.textContent.trim()));
  ` + graphsJS + `
  return {state: state ? state.innerText.trim().toUpperCase() : '', output: text, balls: balls,
    perf: rows, pies: pies(col), graphs: graphs(col), html: document.documentElement.outerHTML};
})()`

// stateOfJS defines stateOf(ball): the state a ball is drawn in, from its
// state-* class ("state-ball" names the shape).
const stateOfJS = `const stateOf = b => ([...b.classList].find(c => c.startsWith('state-') && c !== 'state-ball') || '').slice(6).toUpperCase();
`

// icingadbHistoryScript reads the service's history: each event's new
// state and its plugin output.
const icingadbHistoryScript = stateOfJS + `(() => {
  const items = [...document.querySelectorAll('#col1 .history-list .list-item')];
  return {history: items.map(li => {
    const balls = [...li.querySelectorAll('.visual .state-ball')];
    const out = li.querySelector('.plugin-output');
    return {state: balls.length ? stateOf(balls[balls.length - 1]) : '', output: out ? out.textContent.trim() : ''};
  })};
})()`
