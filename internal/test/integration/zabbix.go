package integration

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// zabbix is Debian's Zabbix 6.0 server on a database of the run's MariaDB,
// with its PHP frontend served by PHP's built-in server for the API. It
// runs no plugin: its check imports contrib/zabbix's template, creates a
// host per PBX (and per failure: refused, wrong password, 404, not JSON)
// and compares the problems Zabbix raises with the plugins' states on the
// same endpoint, and the item values with their performance data.
type zabbix struct {
	dir    string
	db     *mariaDB
	server *Daemon
	web    *Daemon
	webURL string
}

func newZabbix() Component { return &zabbix{} }

// zabbixTemplate is the template contrib/ ships, as Env.Contrib holds it.
const zabbixTemplate = "zabbix/itgrix_by_http.yaml"

// zabbixTemplateHost is the template's technical name.
const zabbixTemplateHost = "Itgrix by HTTP"

// zabbixDatabase is the database the server and the frontend share.
const zabbixDatabase = "zabbix"

func (z *zabbix) Start(ctx context.Context, env *Env) error {
	db, ok := Lookup[*mariaDB](env, "mariadb")
	if !ok {
		return errors.New("zabbix needs mariadb")
	}
	dir, err := env.Dir("zabbix")
	if err != nil {
		return err
	}
	z.dir, z.db = dir, db
	d, err := db.Database(ctx, zabbixDatabase)
	if err != nil {
		return err
	}
	// Zabbix wants a case-sensitive collation: item keys differing in case
	// are different items.
	if _, err := db.SQL(ctx, "", "ALTER DATABASE "+zabbixDatabase+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		return err
	}
	for _, f := range []string{"schema", "images", "data"} {
		if err := z.loadSQL(ctx, "/usr/share/zabbix-server-mysql/"+f+".sql.gz"); err != nil {
			return err
		}
	}
	if err := z.startServer(ctx, env, d); err != nil {
		return err
	}
	return z.startWeb(ctx, d)
}

// loadSQL feeds a gzipped SQL file from the package to MariaDB as root.
func (z *zabbix) loadSQL(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	cmd := exec.CommandContext(ctx, "mariadb", "--defaults-file="+z.db.cnf, "-uroot", zabbixDatabase)
	cmd.Env = DaemonEnv()
	cmd.Stdin = gz
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("loading %s: %w: %s", path, err, lastLines(string(out), 10))
	}
	return nil
}

// startServer runs zabbix_server in the foreground as the engine user,
// with the configuration cache reloaded every second so that hosts made
// through the API are polled at once.
func (z *zabbix) startServer(ctx context.Context, env *Env, d Database) error {
	// ListenPort must be below 32768, under the kernel's ephemeral range.
	port := 0
	for try := 0; port == 0 || port > 32767; try++ {
		l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", 10051+try*97%20000))
		if err != nil {
			if try > 200 {
				return err
			}
			continue
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	conf := filepath.Join(z.dir, "zabbix_server.conf")
	if err := writeFile(conf, fmt.Sprintf(`LogType=file
LogFile=%[1]s/zabbix_server.log
LogFileSize=0
PidFile=%[1]s/zabbix_server.pid
SocketDir=%[1]s
ListenIP=127.0.0.1
ListenPort=%[2]d
DBHost=%[3]s
DBPort=%[4]d
DBName=%[5]s
DBUser=%[6]s
DBPassword=%[7]s
CacheUpdateFrequency=1
StartPollers=1
StartPollersUnreachable=1
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=2
StartTrappers=1
StartPreprocessors=2
StartEscalators=1
StartAlerters=1
StartTimers=1
StartLLDProcessors=1
StartReportWriters=0
Timeout=10
# Debian 12 pairs Zabbix 6.0.14 with MariaDB 10.11, newer than 6.0.14 knows.
AllowUnsupportedDBVersions=1
`, z.dir, port, d.Host, d.Port, d.Name, d.User, d.Password), 0o600); err != nil {
		return err
	}
	if err := chownTree(z.dir, env.EngineUser, env.EngineGroup); err != nil {
		return err
	}
	cred, err := EngineCredential(env)
	if err != nil {
		return err
	}
	if z.server, err = StartDaemonAs(cred, "zabbix_server", filepath.Join(z.dir, "daemon.log"), nil,
		"zabbix_server", "--foreground", "--config", conf); err != nil {
		return err
	}
	log := filepath.Join(z.dir, "zabbix_server.log")
	return Await(ctx, z.server, "zabbix_server", func() error {
		b, _ := os.ReadFile(log)
		if bytes.Contains(b, []byte("server #0 started [main process]")) && bytes.Contains(b, []byte("started [history syncer")) {
			return nil
		}
		return errors.New("not started")
	})
}

// startWeb serves the frontend with PHP's built-in server. Debian's
// frontend reads its configuration from a fixed path in /etc; the router
// declares the class that names that path first, from a copy naming the
// run's file, so the host's /etc is neither read nor written.
func (z *zabbix) startWeb(ctx context.Context, d Database) error {
	web := filepath.Join(z.dir, "web")
	conf := filepath.Join(web, "zabbix.conf.php")
	if err := writeFile(conf, fmt.Sprintf(`<?php
$DB['TYPE'] = 'MYSQL';
$DB['SERVER'] = %q;
$DB['PORT'] = '%d';
$DB['DATABASE'] = %q;
$DB['USER'] = %q;
$DB['PASSWORD'] = %q;
$DB['SCHEMA'] = '';
$DB['ENCRYPTION'] = false;
$DB['DOUBLE_IEEE754'] = true;
$ZBX_SERVER = '127.0.0.1';
$ZBX_SERVER_PORT = '';
$ZBX_SERVER_NAME = 'itgrix-integration';
$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
`, d.Host, d.Port, d.Name, d.User, d.Password), 0o600); err != nil {
		return err
	}
	const configClass = "/usr/share/zabbix/include/classes/core/CConfigFile.php"
	b, err := os.ReadFile(configClass)
	if err != nil {
		return err
	}
	const fixed = "'/etc/zabbix/zabbix.conf.php'"
	if !bytes.Contains(b, []byte(fixed)) {
		return fmt.Errorf("%s no longer names %s", configClass, fixed)
	}
	b = bytes.Replace(b, []byte(fixed), []byte("'"+conf+"'"), 1)
	if err := writeFile(filepath.Join(web, "CConfigFile.php"), string(b), 0o644); err != nil {
		return err
	}
	router := fmt.Sprintf(`<?php
// PHP's built-in server: static files as they are, PHP scripts of the
// frontend run with the run's configuration.
require %q;
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/') {
    $path = '/index.php';
}
$file = '/usr/share/zabbix' . $path;
if (!is_file($file) || strpos($path, '..') !== false) {
    return false;
}
if (substr($path, -4) !== '.php') {
    return false;
}
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = $path;
$_SERVER['SCRIPT_FILENAME'] = $file;
chdir(dirname($file));
require $file;
`, filepath.Join(web, "CConfigFile.php"))
	if err := writeFile(filepath.Join(web, "router.php"), router, 0o644); err != nil {
		return err
	}
	port, err := FreePort()
	if err != nil {
		return err
	}
	addr := addr0(port)
	phpEnv := append(DaemonEnv(), "PHP_CLI_SERVER_WORKERS=4")
	if z.web, err = StartDaemon("php", filepath.Join(z.dir, "php.out"), phpEnv,
		"php", "-d", "date.timezone=UTC", "-d", "memory_limit=256M", "-d", "post_max_size=16M",
		"-S", addr, "-t", "/usr/share/zabbix", filepath.Join(web, "router.php")); err != nil {
		return err
	}
	z.webURL = "http://" + addr
	api := &zabbixAPI{url: z.webURL + "/api_jsonrpc.php"}
	return Await(ctx, z.web, "the Zabbix API", func() error {
		var v string
		return api.call(ctx, "apiinfo.version", map[string]any{}, &v)
	})
}

func (z *zabbix) Stop() {
	z.web.Stop()
	z.server.Stop()
}

// zabbixAPI is Zabbix's JSON-RPC API.
type zabbixAPI struct {
	url, auth string
	id        int
}

func (a *zabbixAPI) call(ctx context.Context, method string, params, result any) error {
	a.id++
	req := map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": a.id}
	if a.auth != "" {
		req["auth"] = a.auth
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	b, err := httpDo(ctx, http.MethodPost, a.url, "application/json-rpc", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	var r struct {
		Result json.RawMessage
		Error  *struct {
			Message, Data string
		}
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("%s: not JSON-RPC: %s", method, truncate(string(b), 300))
	}
	if r.Error != nil {
		return fmt.Errorf("%s: %s %s", method, r.Error.Message, r.Error.Data)
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(r.Result, result)
}

// zabbixHost is one host the check creates: a scenario's PBX, or one
// failure, with the template's macros it overrides.
type zabbixHost struct {
	Name     string
	Scenario string // the PBX it points at; "" for the failures that need none
	// Addr/Port/Path/Password: where the host points and with what; the
	// plugins run directly get the same.
	Addr, Path, Password string
	Port                 int
	// Want is the severity the table expects per check (Zabbix's word).
	Want map[Check]string
	id   string
}

// The severities of trigger.priority, and what a plugin state is in
// Zabbix: the template's mapping.
var zabbixSeverity = []string{"not classified", "information", "warning", "average", "high", "disaster"}

// stateSeverity maps a plugin state to the template's severity ("" for
// OK: no problem).
func stateSeverity(state int) string {
	switch state {
	case OK:
		return ""
	case Warning:
		return "warning"
	case Critical:
		return "high"
	}
	return "average"
}

// zabbixWant is the fixed table of what each scenario must raise: the
// severity of the worst problem per check, "" for none. A problem reading
// the endpoint stands for both checks, at the app check's severity.
var zabbixWant = map[string]map[Check]string{
	"healthy":     {App: "", License: ""},
	"restarting":  {App: "warning", License: ""},
	"stopped":     {App: "high", License: ""},
	"expiring":    {App: "", License: "warning"},
	"expired":     {App: "", License: "high"},
	"free":        {App: "", License: "high"},
	"stale-cache": {App: "high", License: ""},
	"foreign":     {App: "average", License: "average"},
	// The host's own macros (HostSettings): 25 calls are under its queue
	// warning of 30, and it expects Subscription, not its Professional.
	"queue":          {App: "", License: "high"},
	"refused":        {App: "high", License: "high"},
	"wrong-password": {App: "average", License: "average"},
	"not-found":      {App: "average", License: "average"},
	"not-json":       {App: "average", License: "average"},
}

// zabbixArgs are the plugin flags the template's default macros stand
// for; the direct runs use them.
var zabbixArgs = map[Check][]string{
	App: {"--queue-warning", "10", "--queue-critical", "50", "--storage-warning", "100", "--storage-critical", "500",
		"--batch-warning", "100", "--batch-critical", "300", "--cache-age-warning", "1d", "--cache-age-critical", "3d"},
	License: {"-w", "30", "-c", "7", "--expected-type", "Professional", "--expected-type", "Subscription"},
}

// zabbixMetrics maps item keys to the performance-data labels they must
// equal; slack is how far apart the two may be (an age read a little
// later).
var zabbixMetrics = []struct {
	key, label string
	check      Check
	slack      float64
}{
	{"itgrix.app_status", "app_status", App, 0},
	{"itgrix.app_state", "app_state", App, 0},
	{"itgrix.calls_queue", "calls_queue", App, 0},
	{"itgrix.calls_storage", "calls_storage", App, 0},
	{"itgrix.crm_batch_queue", "crm_batch_queue", App, 0},
	{"itgrix.users_cache.users", "users_cache_users", App, 0},
	{"itgrix.users_cache.phones", "users_cache_phones", App, 0},
	{"itgrix.users_cache.age", "users_cache_age", App, 300},
	{"itgrix.license.days_left", "days_left", License, 0},
	{"itgrix.license.type_rank", "license_type", License, 0},
}

func (z *zabbix) hosts(env *Env) ([]*zabbixHost, error) {
	var hs []*zabbixHost
	for _, p := range env.PBXs {
		hs = append(hs, &zabbixHost{Name: p.Scenario, Scenario: p.Scenario, Addr: p.Addr, Port: 8077, Path: "/status", Password: env.Login.Password})
	}
	healthy, ok := env.PBX("healthy")
	if !ok {
		return nil, errors.New("no healthy PBX to point the failures at")
	}
	// Port 1 (tcpmux) has no listener on a Linux host: a free port picked
	// now could be taken by another daemon of the run while Zabbix polls.
	const refused = 1
	web, _ := strconv.Atoi(z.webURL[strings.LastIndex(z.webURL, ":")+1:])
	hs = append(hs,
		&zabbixHost{Name: "refused", Addr: "127.0.0.1", Port: refused, Path: "/status", Password: env.Login.Password},
		&zabbixHost{Name: "wrong-password", Addr: healthy.Addr, Port: 8077, Path: "/status", Password: "wrong-" + randomHex(6)},
		&zabbixHost{Name: "not-found", Addr: healthy.Addr, Port: 8077, Path: "/no-such-endpoint", Password: env.Login.Password},
		// A file the frontend's server sends as it is: text, not JSON.
		&zabbixHost{Name: "not-json", Addr: "127.0.0.1", Port: web, Path: "/robots.txt", Password: env.Login.Password},
	)
	for _, h := range hs {
		want, ok := zabbixWant[h.Name]
		if !ok {
			return nil, fmt.Errorf("no expected severities for %s in zabbixWant", h.Name)
		}
		h.Want = want
	}
	return hs, nil
}

func (z *zabbix) Check(ctx context.Context, env *Env, _ Inputs) (Report, error) {
	var rep Report
	start := time.Now()
	api := &zabbixAPI{url: z.webURL + "/api_jsonrpc.php"}
	if err := api.call(ctx, "user.login", map[string]any{"username": "Admin", "password": "zabbix"}, &api.auth); err != nil {
		return rep, err
	}
	b, err := os.ReadFile(filepath.Join(env.Contrib, zabbixTemplate))
	if err != nil {
		return rep, err
	}
	tmpl := string(b)
	// The template as shipped, then each broken copy under a name of its
	// own: every copy gets its own hosts, and all are polled together.
	type templateSet struct {
		name, yaml string
		hosts      []*zabbixHost
		breakage   zabbixBreakage
	}
	sets := []templateSet{{name: zabbixTemplateHost, yaml: tmpl}}
	for i, br := range zabbixBreakages {
		broken, err := br.apply(tmpl, fmt.Sprintf("Itgrix broken %d", i+1))
		if err != nil {
			rep.Verdicts = append(rep.Verdicts, Verdict{Name: "broken template, " + br.name + ", fails", Err: err})
			continue
		}
		sets = append(sets, templateSet{fmt.Sprintf("Itgrix broken %d", i+1), broken, nil, br})
	}
	var all []*zabbixHost
	var groupID string
	for i := range sets {
		set := &sets[i]
		if err := zabbixImport(ctx, api, set.yaml); err != nil {
			if i == 0 {
				return rep, fmt.Errorf("importing contrib/%s: %w", zabbixTemplate, err)
			}
			return rep, fmt.Errorf("importing the template with a %s: %w", set.breakage.name, err)
		}
		id, err := zabbixTemplateID(ctx, api, set.name)
		if err != nil {
			return rep, err
		}
		hosts, err := z.hosts(env)
		if err != nil {
			return rep, err
		}
		for _, h := range hosts {
			if i == 0 {
				set.hosts = append(set.hosts, h)
			} else if h.Name == set.breakage.scenario {
				h.Name += fmt.Sprintf("-broken%d", i)
				set.hosts = append(set.hosts, h)
			}
		}
		group := "Itgrix PBXs"
		if i > 0 {
			group = set.name
		}
		gid, err := z.createHosts(ctx, api, id, group, set.hosts)
		if err != nil {
			return rep, err
		}
		if i == 0 {
			groupID = gid
		}
		all = append(all, set.hosts...)
	}
	// A template that does not import has already failed the engine above.
	rep.Verdicts = append(rep.Verdicts, Verdict{Name: "template exports back as shipped", Err: zabbixRoundTrip(ctx, api, tmpl)})
	env.Logf("zabbix: templates imported, hosts created in %.1fs", time.Since(start).Seconds())
	t0 := time.Now()
	seen, err := z.await(ctx, api, all)
	if err != nil {
		return rep, err
	}
	env.Logf("zabbix: %d hosts read in %.1fs", len(all), time.Since(t0).Seconds())
	for _, h := range sets[0].hosts {
		rep.Verdicts = append(rep.Verdicts, Verdict{Name: "host " + h.Name, Err: z.judge(ctx, env, h, seen[h.Name])})
	}
	env.Logf("zabbix: judged in %.1fs", time.Since(t0).Seconds())
	// A broken template must fail on the host where it shows.
	for _, set := range sets[1:] {
		v := Verdict{Name: "broken template, " + set.breakage.name + ", fails", Err: fmt.Errorf("%s passed", set.breakage.scenario)}
		for _, h := range set.hosts {
			if err := z.judge(ctx, env, h, seen[h.Name]); err != nil {
				env.Logf("zabbix: %s caught on %s: %v", set.breakage.name, h.Name, err)
				v.Err = nil
				break
			}
		}
		rep.Verdicts = append(rep.Verdicts, v)
	}
	if env.Outputs != "" {
		t1 := time.Now()
		rep.Verdicts = append(rep.Verdicts, Verdict{Name: "problems and latest data in the frontend", Err: z.screenshots(ctx, env, groupID, sets[0].hosts, seen)})
		env.Logf("zabbix: frontend read in %.1fs", time.Since(t1).Seconds())
	}
	return rep, nil
}

// zabbixImport imports a template as the frontend's import dialog does
// with every "create new" and "update existing" ticked.
func zabbixImport(ctx context.Context, api *zabbixAPI, yaml string) error {
	both := map[string]bool{"createMissing": true, "updateExisting": true}
	rules := map[string]any{
		"groups":             map[string]bool{"createMissing": true},
		"templates":          both,
		"items":              both,
		"triggers":           both,
		"graphs":             both,
		"valueMaps":          both,
		"templateDashboards": both,
		"templateLinkage":    map[string]bool{"createMissing": true},
		"discoveryRules":     both,
		"httptests":          both,
	}
	var ok bool
	if err := api.call(ctx, "configuration.import", map[string]any{"format": "yaml", "source": yaml, "rules": rules}, &ok); err != nil {
		return err
	}
	if !ok {
		return errors.New("configuration.import returned false")
	}
	return nil
}

var zabbixExportDate = regexp.MustCompile(`(?m)^  date: '[^']*'$`)

// zabbixRoundTrip exports the imported template and compares it with the
// file, but for the export's date: the file is in Zabbix's own format, and
// nothing of it was dropped or changed on import.
func zabbixRoundTrip(ctx context.Context, api *zabbixAPI, tmpl string) error {
	id, err := zabbixTemplateID(ctx, api, zabbixTemplateHost)
	if err != nil {
		return err
	}
	var out string
	if err := api.call(ctx, "configuration.export", map[string]any{"format": "yaml", "options": map[string]any{"templates": []string{id}}}, &out); err != nil {
		return err
	}
	got, want := zabbixExportDate.ReplaceAllString(out, ""), zabbixExportDate.ReplaceAllString(tmpl, "")
	if got == want {
		return nil
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if gl[i] != wl[i] {
			return fmt.Errorf("line %d: exported %q, the file has %q", i+1, gl[i], wl[i])
		}
	}
	return fmt.Errorf("exported %d lines, the file has %d", len(gl), len(wl))
}

func zabbixTemplateID(ctx context.Context, api *zabbixAPI, name string) (string, error) {
	var ts []struct{ Templateid string }
	if err := api.call(ctx, "template.get", map[string]any{"filter": map[string]any{"host": name}, "output": []string{"templateid"}}, &ts); err != nil {
		return "", err
	}
	if len(ts) != 1 {
		return "", fmt.Errorf("template %q: %d found after the import", name, len(ts))
	}
	return ts[0].Templateid, nil
}

// createHosts creates the hosts in one group, linked to the template,
// polled every few seconds.
func (z *zabbix) createHosts(ctx context.Context, api *zabbixAPI, templateID, group string, hosts []*zabbixHost) (string, error) {
	var g struct{ Groupids []string }
	if err := api.call(ctx, "hostgroup.create", map[string]any{"name": group}, &g); err != nil {
		return "", err
	}
	groupID := g.Groupids[0]
	// One call for all: host.create takes a list, and each call is a
	// round of the frontend's PHP.
	var create []map[string]any
	for _, h := range hosts {
		create = append(create, map[string]any{
			"host":       h.Name,
			"groups":     []map[string]string{{"groupid": groupID}},
			"interfaces": []map[string]any{{"type": 1, "main": 1, "useip": 1, "ip": h.Addr, "dns": "", "port": "10050"}},
			"templates":  []map[string]string{{"templateid": templateID}},
			"macros": append([]map[string]any{
				{"macro": "{$ITGRIX.USER}", "value": "admin"},
				{"macro": "{$ITGRIX.PASSWORD}", "value": h.Password, "type": 1},
				{"macro": "{$ITGRIX.PORT}", "value": strconv.Itoa(h.Port)},
				{"macro": "{$ITGRIX.PATH}", "value": h.Path},
				{"macro": "{$ITGRIX.INTERVAL}", "value": "5s"},
				{"macro": "{$ITGRIX.TIMEOUT}", "value": "5s"},
			}, hostMacros(h.Scenario)...),
		})
	}
	var r struct{ Hostids []string }
	if err := api.call(ctx, "host.create", create, &r); err != nil {
		return "", fmt.Errorf("hosts in %s: %w", group, err)
	}
	if len(r.Hostids) != len(hosts) {
		return "", fmt.Errorf("hosts in %s: %d created of %d", group, len(r.Hostids), len(hosts))
	}
	for i, h := range hosts {
		h.id = r.Hostids[i]
	}
	return groupID, nil
}

// zabbixSeen is what Zabbix shows for a host: its items' last values by
// key, and its problems.
type zabbixSeen struct {
	Values   map[string]string
	Problems []zabbixProblem
}

type zabbixProblem struct {
	Name     string
	Severity string
	Checks   []string // the trigger's check tags
}

// await forces each host's master item to be checked ("Check now") until
// every host has read once and its triggers have settled, then reads
// the items and problems back.
func (z *zabbix) await(ctx context.Context, api *zabbixAPI, hosts []*zabbixHost) (map[string]zabbixSeen, error) {
	ids := make([]string, len(hosts))
	for i, h := range hosts {
		ids[i] = h.id
	}
	var masters []struct{ Itemid string }
	if err := api.call(ctx, "item.get", map[string]any{"hostids": ids, "filter": map[string]any{"key_": "itgrix.get_status"}, "output": []string{"itemid"}}, &masters); err != nil {
		return nil, err
	}
	if len(masters) != len(hosts) {
		return nil, fmt.Errorf("%d hosts but %d status items", len(hosts), len(masters))
	}
	seen := map[string]zabbixSeen{}
	var last error
	wait, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	var asked time.Time
	err := Await(wait, z.server, "every host's status read", func() error {
		// Ask again every 2 s, not at Await's pace: each round is a
		// task per host and a read of every host.
		if time.Since(asked) < 2*time.Second {
			return errors.New("waiting")
		}
		asked = time.Now()
		tasks := []map[string]any{}
		for _, m := range masters {
			tasks = append(tasks, map[string]any{"type": 6, "request": map[string]string{"itemid": m.Itemid}})
		}
		// A task for an item not yet in the configuration cache is refused.
		_ = api.call(ctx, "task.create", tasks, nil)
		s, err := z.read(ctx, api, hosts)
		if err != nil {
			last = err
			return err
		}
		seen = s
		for _, h := range hosts {
			if seen[h.Name].Values["itgrix.fetch"] == "" {
				return fmt.Errorf("%s: no status read yet", h.Name)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", err, last)
	}
	// Triggers are evaluated as values arrive; one more round of reads
	// settles problems that depend on several items.
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(6 * time.Second):
	}
	return z.read(ctx, api, hosts)
}

func (z *zabbix) read(ctx context.Context, api *zabbixAPI, hosts []*zabbixHost) (map[string]zabbixSeen, error) {
	ids := make([]string, len(hosts))
	out := map[string]zabbixSeen{}
	name := map[string]string{}
	for i, h := range hosts {
		ids[i] = h.id
		name[h.id] = h.Name
		out[h.Name] = zabbixSeen{Values: map[string]string{}}
	}
	var items []struct {
		Hostid    string
		Key       string `json:"key_"`
		Lastvalue string
		Lastclock string
	}
	if err := api.call(ctx, "item.get", map[string]any{"hostids": ids, "output": []string{"hostid", "key_", "lastvalue", "lastclock"}}, &items); err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.Lastclock != "0" {
			out[name[it.Hostid]].Values[it.Key] = it.Lastvalue
		}
	}
	var problems []struct {
		Objectid string
		Name     string
		Severity string
		Tags     []struct{ Tag, Value string }
	}
	if err := api.call(ctx, "problem.get", map[string]any{"hostids": ids, "output": []string{"objectid", "name", "severity"}, "selectTags": "extend"}, &problems); err != nil {
		return nil, err
	}
	// Problems name their trigger; the trigger names its host.
	var triggerIDs []string
	for _, p := range problems {
		triggerIDs = append(triggerIDs, p.Objectid)
	}
	var triggers []struct {
		Triggerid string
		Hosts     []struct{ Hostid string }
	}
	if len(triggerIDs) > 0 {
		if err := api.call(ctx, "trigger.get", map[string]any{"triggerids": triggerIDs, "output": []string{"triggerid"}, "selectHosts": []string{"hostid"}}, &triggers); err != nil {
			return nil, err
		}
	}
	hostOf := map[string]string{}
	for _, t := range triggers {
		if len(t.Hosts) == 1 {
			hostOf[t.Triggerid] = name[t.Hosts[0].Hostid]
		}
	}
	for _, p := range problems {
		sev, _ := strconv.Atoi(p.Severity)
		zp := zabbixProblem{Name: p.Name, Severity: zabbixSeverity[min(max(sev, 0), 5)]}
		for _, t := range p.Tags {
			if t.Tag == "check" {
				zp.Checks = append(zp.Checks, t.Value)
			}
		}
		h, ok := hostOf[p.Objectid]
		if !ok {
			return nil, fmt.Errorf("problem %q: no host for its trigger", p.Name)
		}
		s := out[h]
		s.Problems = append(s.Problems, zp)
		out[h] = s
	}
	return out, nil
}

// hostMacros are a scenario's own settings as the host macros that
// override the template's defaults.
func hostMacros(scenario string) []map[string]any {
	var out []map[string]any
	for _, h := range HostSettings[scenario] {
		out = append(out, map[string]any{"macro": h.Zabbix, "value": h.ZabbixValue()})
	}
	return out
}

// direct runs the real plugin (never the self-test's broken copy: Zabbix
// runs no plugin, so the reference must not break with it) as the
// template's defaults (and the host's own macros) stand for, against the
// endpoint the host points at.
func (z *zabbix) direct(ctx context.Context, env *Env, h *zabbixHost, c Check) (Direct, []string, error) {
	argv := []string{filepath.Join(env.Plugins, c.Plugin()), "--url", fmt.Sprintf("http://%s:%d%s", h.Addr, h.Port, h.Path), "-u", "admin", "-t", "5"}
	argv = NRPELine(h.Scenario, append(argv, zabbixArgs[c]...))
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	code, out, err := RunPlugin(ctx, append(DaemonEnv(), "ITGRIX_PASSWORD="+h.Password), argv)
	if err != nil {
		return Direct{}, argv, err
	}
	return ParseOutput(code, out), argv, nil
}

// judge compares what Zabbix shows for a host with the table and with the
// plugins run on the same endpoint.
func (z *zabbix) judge(ctx context.Context, env *Env, h *zabbixHost, s zabbixSeen) error {
	var problems []string
	worst := map[string]string{}
	var fetch []zabbixProblem
	for _, p := range s.Problems {
		for _, c := range p.Checks {
			if sevRank(p.Severity) > sevRank(worst[c]) {
				worst[c] = p.Severity
			}
			if c == "fetch" {
				fetch = append(fetch, p)
			}
		}
	}
	names := func() string {
		var ns []string
		for _, p := range s.Problems {
			ns = append(ns, fmt.Sprintf("%s %q", p.Severity, p.Name))
		}
		if len(ns) == 0 {
			return "no problem"
		}
		return strings.Join(ns, ", ")
	}
	if len(fetch) > 0 && len(s.Problems) != 1 {
		problems = append(problems, fmt.Sprintf("the endpoint cannot be read, so one problem, not %d", len(s.Problems)))
	}
	for _, c := range []Check{App, License} {
		d, argv, err := z.direct(ctx, env, h, c)
		if err != nil {
			return fmt.Errorf("running %v: %w", argv, err)
		}
		plugin := stateSeverity(d.State)
		got := worst[string(c)]
		if len(fetch) > 0 {
			got = worst["fetch"]
			if c == License {
				// One problem for both: the licence check's UNKNOWN
				// (it cannot tell) is covered by the app check's severity.
				if d.State != Unknown {
					problems = append(problems, fmt.Sprintf("license: the endpoint cannot be read but the plugin says %s: %s", StateName(d.State), d.Output))
				}
				plugin = h.Want[License]
			}
		}
		if got != h.Want[c] {
			problems = append(problems, fmt.Sprintf("%s: Zabbix raised %s, the table wants %s", c, sevWord(got), sevWord(h.Want[c])))
		}
		if plugin != h.Want[c] {
			problems = append(problems, fmt.Sprintf("%s: the plugin says %s (%s), the table wants %s", c, StateName(d.State), truncate(d.Output, 120), sevWord(h.Want[c])))
		}
		if len(fetch) > 0 {
			continue
		}
		metrics, err := expectedMetrics(Result{Perfdata: d.Perfdata})
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", c, err))
			continue
		}
		byLabel := map[string]float64{}
		for _, m := range metrics {
			byLabel[m.Label] = m.Value
		}
		for _, zm := range zabbixMetrics {
			if zm.check != c {
				continue
			}
			want, inPlugin := byLabel[zm.label]
			got, inZabbix := s.Values[zm.key]
			switch {
			case !inPlugin && !inZabbix:
			case !inPlugin:
				problems = append(problems, fmt.Sprintf("%s is %s in Zabbix, the plugin prints no %s", zm.key, got, zm.label))
			case !inZabbix:
				problems = append(problems, fmt.Sprintf("%s has no value in Zabbix, the plugin prints %s=%v", zm.key, zm.label, want))
			default:
				v, err := strconv.ParseFloat(got, 64)
				if err != nil || math.Abs(v-want) > zm.slack {
					problems = append(problems, fmt.Sprintf("%s is %s in Zabbix, the plugin prints %s=%v", zm.key, got, zm.label, want))
				}
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s; Zabbix shows %s", strings.Join(problems, "; "), names())
	}
	env.Logf("zabbix: %s: %s", h.Name, names())
	return nil
}

func sevRank(s string) int { return slices.Index(zabbixSeverity, s) }

func sevWord(s string) string {
	if s == "" {
		return "no problem"
	}
	return s
}

// zabbixBreakage is the template broken on purpose: the text from becomes
// to, and the host of scenario must then fail.
type zabbixBreakage struct{ name, from, to, scenario string }

// zabbixBreakages are the self-test's broken templates, each with the
// scenario where it shows: the calls queue (0) read from storage (3), and
// an expiring licence (10 days) under a warning at 3 days.
var zabbixBreakages = []zabbixBreakage{
	{"wrong JSONPath", "$.v.calls_queue\n", "$.v.calls_storage\n", "healthy"},
	{"wrong threshold", "{$ITGRIX.LICENSE.DAYS.WARN}'\n          value: '30'", "{$ITGRIX.LICENSE.DAYS.WARN}'\n          value: '3'", "expiring"},
}

var (
	zabbixUUID = regexp.MustCompile(`uuid: [0-9a-f]{32}`)
)

// apply returns the template broken, renamed to name with fresh uuids so
// that it imports beside the real one.
func (b zabbixBreakage) apply(tmpl, name string) (string, error) {
	if !strings.Contains(tmpl, b.from) {
		return "", fmt.Errorf("the template no longer holds %q to break", b.from)
	}
	broken := strings.Replace(tmpl, b.from, b.to, 1)
	// Its name, its triggers' expressions and its graphs' items.
	broken = strings.ReplaceAll(broken, zabbixTemplateHost, name)
	return zabbixUUID.ReplaceAllStringFunc(broken, func(string) string { return "uuid: " + uuid4() }), nil
}

// uuid4 is a random UUID version 4 without dashes, as Zabbix's import
// wants every uuid.
func uuid4() string {
	h := []byte(randomHex(16))
	h[12] = '4'
	h[16] = "89ab"[h[16]%4]
	return string(h)
}

// zabbixPageScript returns the text of the page's main part, with the
// filter form folded away and the frontend's complaint about the
// machine's missing en_US locale removed: neither is the template's.
const zabbixPageScript = `(() => {
  document.querySelectorAll('.msg-bad').forEach(e => { if (/Locale for language/.test(e.innerText)) e.remove() });
  document.querySelectorAll('.filter-container').forEach(e => e.style.display = 'none');
  const main = document.querySelector('main') || document.body;
  return main.innerText })()`

// screenshots opens the frontend as an operator would: logged in, the
// problems of the PBXs' group and the latest data of the stopped PBX,
// which must show what the API returned; the pictures are kept.
func (z *zabbix) screenshots(ctx context.Context, env *Env, groupID string, hosts []*zabbixHost, seen map[string]zabbixSeen) error {
	dir, err := env.Dir("zabbix/chromium")
	if err != nil {
		return err
	}
	b, err := StartBrowser(dir)
	if err != nil {
		return err
	}
	defer b.Close()
	var stopped *zabbixHost
	for _, h := range hosts {
		if h.Name == "stopped" {
			stopped = h
		}
	}
	if stopped == nil {
		return errors.New("no stopped PBX to show")
	}
	pages := []struct {
		file, url string
		want      []string
	}{
		// Logging in on the way: the sign-in form sends on to request.
		{"problems.png", "/index.php?name=Admin&password=zabbix&enter=Sign+in&request=" +
			url.QueryEscape("zabbix.php?action=problem.view&filter_set=1&groupids[]="+groupID), nil},
		{"latest-data.png", "/zabbix.php?action=latest.view&filter_set=1&hostids%5B%5D=" + stopped.id, []string{"Itgrix: App state", "stopped (2)", "Itgrix: Calls queued", "Itgrix: Licence days left"}},
	}
	for _, h := range hosts {
		for _, p := range seen[h.Name].Problems {
			pages[0].want = append(pages[0].want, p.Name)
		}
	}
	for _, p := range pages {
		page, err := b.Visit(ctx, z.webURL+p.url, 1400, 1000, false, zabbixPageScript)
		if err != nil {
			return err
		}
		var text string
		if err := json.Unmarshal(page.Value, &text); err != nil {
			return err
		}
		if err := env.KeepOutput(filepath.Join("zabbix", p.file), page.PNG); err != nil {
			return err
		}
		for _, w := range p.want {
			if !strings.Contains(text, w) {
				return fmt.Errorf("%s does not show %q", p.file, w)
			}
		}
	}
	return nil
}
