package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// webUI is Icinga Web 2 served by PHP's built-in server, configured from
// files in an engine's dir: its own configuration database in the run's
// MariaDB, logged in as "operator" by the "web server", the graphite module
// on the run's graphite-web with contrib/'s graph templates, and the
// modules the engine shows the checks with.
type webUI struct {
	URL string
	d   *Daemon
}

// webUIConfig is what differs between the engines that serve Icinga Web 2.
type webUIConfig struct {
	Dir       string              // the engine's dir; the configuration goes under etc/
	Database  string              // name of Icinga Web's own database
	Modules   []string            // enabled besides graphite
	Resources map[string]Database // resources.ini sections besides Icinga Web's own
	Files     map[string]string   // more files under etc/, such as a module's config
}

// startWebUI creates Icinga Web's database, writes its configuration and
// starts PHP's server; it returns once Icinga Web answers.
func startWebUI(ctx context.Context, env *Env, c webUIConfig) (*webUI, error) {
	db, ok := Lookup[*mariaDB](env, "mariadb")
	if !ok {
		return nil, errors.New("icinga web needs mariadb")
	}
	g, ok := Lookup[*Graphite](env, "graphite")
	if !ok {
		return nil, errors.New("icinga web needs graphite")
	}
	web, err := db.Database(ctx, c.Database)
	if err != nil {
		return nil, err
	}
	if err := db.LoadFile(ctx, c.Database, "/usr/share/icingaweb2/schema/mysql.schema.sql"); err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	resources := map[string]Database{"icingaweb_db": web}
	for name, r := range c.Resources {
		resources[name] = r
	}
	var ini string
	for name, r := range resources {
		ini += fmt.Sprintf("[%s]\ntype = \"db\"\ndb = \"mysql\"\nhost = %q\nport = \"%d\"\ndbname = %q\nusername = %q\npassword = %q\ncharset = \"utf8mb4\"\n\n",
			name, r.Host, r.Port, r.Name, r.User, r.Password)
	}
	conf := c.Dir + "/etc"
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
`, c.Dir),
		"resources.ini": ini,
		// The web server authenticates (router.php sets REMOTE_USER), as
		// behind an Apache with its own login.
		"authentication.ini": "[web-server]\nbackend = \"external\"\n",
		"roles.ini":          "[operators]\nusers = \"operator\"\npermissions = \"*\"\n",
	}
	// contrib's module configuration, on the run's graphite-web, with
	// graphs of the last quarter hour: the run's checks are minutes old.
	graphite, err := iniSet(filepath.Join(env.Contrib, "icingaweb2", "module-graphite-config.ini"), map[string]string{
		"url": g.WebURL + "/", "default_time_range": "15", "default_time_range_unit": "minutes"})
	if err != nil {
		return nil, err
	}
	files["modules/graphite/config.ini"] = graphite
	for name, content := range c.Files {
		files[name] = content
	}
	for name, content := range files {
		if err := writeFile(filepath.Join(conf, name), content, 0o600); err != nil {
			return nil, err
		}
	}
	// The graph templates contrib/ ships, installed as the operator would.
	templates, _ := filepath.Glob(filepath.Join(env.Contrib, "icingaweb2", "graphite-*.ini"))
	if len(templates) == 0 {
		return nil, errors.New("no contrib/icingaweb2/graphite-*.ini")
	}
	for _, t := range templates {
		if err := copyFile(t, filepath.Join(conf, "modules", "graphite", "templates", filepath.Base(t)), 0o644); err != nil {
			return nil, err
		}
	}
	if err := mkdirAll(conf + "/enabledModules"); err != nil {
		return nil, err
	}
	for _, m := range append(c.Modules, "graphite") {
		if err := os.Symlink("/usr/share/icingaweb2/modules/"+m, conf+"/enabledModules/"+m); err != nil {
			return nil, err
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
	if err := writeFile(c.Dir+"/router.php", router, 0o644); err != nil {
		return nil, err
	}
	addr := addr0(port)
	// Workers so that the page's graphs load side by side.
	phpEnv := append(DaemonEnv(), "ICINGAWEB_CONFIGDIR="+conf, "PHP_CLI_SERVER_WORKERS=4")
	w := &webUI{URL: "http://" + addr}
	if w.d, err = StartDaemon("php", c.Dir+"/php.out", phpEnv, "php", "-S", addr, "-t", "/usr/share/icingaweb2/public", c.Dir+"/router.php"); err != nil {
		return nil, err
	}
	return w, Await(ctx, w.d, "Icinga Web 2", func() error {
		_, err := httpGet(ctx, w.URL+"/about")
		return err
	})
}

// Stop stops PHP's server by its PID (safe on nil).
func (w *webUI) Stop() {
	if w != nil {
		w.d.Stop()
	}
}

// iniSet reads an ini file and sets the values of keys it has; a key it
// lacks is an error.
func iniSet(file string, values map[string]string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	s := string(b)
	for k, v := range values {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(k) + `\s*=.*$`)
		if !re.MatchString(s) {
			return "", fmt.Errorf("%s: no %s", file, k)
		}
		s = re.ReplaceAllLiteralString(s, fmt.Sprintf("%s = %q", k, v))
	}
	return s, nil
}
