package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"time"
)

// director is Icinga Director deploying to an Icinga 2 of its own: Debian's
// icingaweb2-module-director driven by icingacli from a private Icinga Web
// 2 configuration directory (no web server), its database in the run's
// MariaDB. It restores contrib/icinga2/director-basket.json, creates one
// host per PBX from the basket's host template (whose service set gives it
// both services), deploys, and reads the results back through Icinga's API. The credentials come
// from a section per host of an ini file, through the basket's
// itgrix_extra_opts.
type director struct {
	dir    string
	conf   string // ICINGAWEB_CONFIGDIR
	icinga *icingaInstance
	db     *mariaDB
}

func newDirector() Component { return &director{} }

func (d *director) Start(ctx context.Context, env *Env) error {
	var err error
	if d.dir, err = env.Dir("director"); err != nil {
		return err
	}
	var ok bool
	if d.db, ok = Lookup[*mariaDB](env, "mariadb"); !ok {
		return fmt.Errorf("no mariadb")
	}
	db, err := d.db.Database(ctx, "director")
	if err != nil {
		return err
	}
	ca, err := newIcingaCA()
	if err != nil {
		return err
	}
	if d.icinga, err = newIcingaInstance(filepath.Join(d.dir, "icinga2"), "director.test", ca); err != nil {
		return err
	}
	// Director renders its commands into the global zone director-global,
	// and finds the API where the endpoint's host and port say.
	conf := d.icinga.Endpoint(true) + `object Zone "master" { endpoints = [ NodeName ] }
object Zone "director-global" { global = true }
const ZoneName = "master"
object CheckerComponent "checker" { }
`
	if err := d.icinga.Start(ctx, env, conf, "*"); err != nil {
		return err
	}
	if err := d.writeIcingaWeb(db); err != nil {
		return err
	}
	for _, args := range [][]string{{"migration", "run"}, {"kickstart", "run"}} {
		if _, err := d.cli(ctx, "", args...); err != nil {
			return err
		}
	}
	basket, err := os.ReadFile(filepath.Join(env.Contrib, "icinga2", "director-basket.json"))
	if err != nil {
		return err
	}
	if _, err := d.cli(ctx, string(basket), "basket", "restore"); err != nil {
		return err
	}
	ini := filepath.Join(d.dir, "itgrix.ini")
	var sections strings.Builder
	for _, p := range env.PBXs {
		fmt.Fprintf(&sections, "[%s]\nurl = http://%s:8077/status\nusername = %s\npassword = %s\n\n",
			p.Scenario, p.Addr, env.Login.User, env.Login.Password)
		// The PBX's own settings go in the host's fields.
		vars := map[string]any{"itgrix_extra_opts": "$host.name$@" + ini}
		for _, h := range HostSettings[p.Scenario] {
			vars[h.Icinga] = h.IcingaValue()
		}
		host, _ := json.Marshal(map[string]any{
			"imports": []string{"itgrix-pbx"}, "address": p.Addr, "check_command": "dummy", "vars": vars,
		})
		// The basket's service set gives it both services.
		if _, err := d.cli(ctx, "", "host", "create", p.Scenario, "--json", string(host)); err != nil {
			return err
		}
	}
	if err := writeFile(ini, sections.String(), 0o600); err != nil {
		return err
	}
	if err := chownTree(ini, env.EngineUser, env.EngineGroup); err != nil {
		return err
	}
	if _, err := d.cli(ctx, "", "config", "deploy"); err != nil {
		return err
	}
	// Director learns whether a deployment started only from its own
	// daemon, so ask Icinga: every service deployed and loaded.
	return d.icinga.Await(ctx, "Director's deployment in Icinga", func() error {
		b, err := d.icinga.API.Do(ctx, "GET", "/v1/objects/services?attrs=name", nil)
		if err != nil {
			return err
		}
		var r struct{ Results []json.RawMessage }
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if len(r.Results) < 2*len(env.PBXs) {
			return fmt.Errorf("%d services", len(r.Results))
		}
		return nil
	})
}

// writeIcingaWeb writes the Icinga Web 2 configuration icingacli reads: the
// database resource, the Director module's settings and its kickstart
// (the API of Director's Icinga).
func (d *director) writeIcingaWeb(db Database) error {
	d.conf = filepath.Join(d.dir, "icingaweb2")
	files := map[string]string{
		"config.ini": fmt.Sprintf("[global]\nconfig_backend = \"ini\"\n\n[logging]\nlog = \"file\"\nfile = %q\nlevel = \"ERROR\"\n",
			filepath.Join(d.dir, "icingaweb2.log")),
		"resources.ini": fmt.Sprintf("[director_db]\ntype = \"db\"\ndb = \"mysql\"\nhost = %q\nport = \"%d\"\ndbname = %q\nusername = %q\npassword = %q\ncharset = \"utf8mb4\"\n",
			db.Host, db.Port, db.Name, db.User, db.Password),
		"modules/director/config.ini": "[db]\nresource = \"director_db\"\n",
		"modules/director/kickstart.ini": fmt.Sprintf("[config]\nendpoint = %q\nhost = \"127.0.0.1\"\nport = \"%d\"\nusername = %q\npassword = %q\n",
			d.icinga.Name, d.icinga.Port, d.icinga.API.User, d.icinga.API.Password),
	}
	for name, content := range files {
		if err := writeFile(filepath.Join(d.conf, name), content, 0o600); err != nil {
			return err
		}
	}
	for _, m := range []string{"director", "incubator", "reactbundle"} {
		if err := mkdirAll(filepath.Join(d.conf, "enabledModules")); err != nil {
			return err
		}
		if err := os.Symlink(filepath.Join("/usr/share/icingaweb2/modules", m), filepath.Join(d.conf, "enabledModules", m)); err != nil {
			return err
		}
	}
	return nil
}

// cli runs icingacli director ARGS with stdin, bounded by ctx.
func (d *director) cli(ctx context.Context, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "icingacli", append([]string{"director"}, args...)...)
	cmd.Env = append(DaemonEnv(), "ICINGAWEB_CONFIGDIR="+d.conf)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("icingacli director %s: %w: %s", strings.Join(args, " "), err, lastLines(string(out), 20))
	}
	return string(out), nil
}

func (d *director) Stop() { d.icinga.Stop() }

func (d *director) Check(ctx context.Context, env *Env, _ Inputs) (Report, error) {
	since, err := forceChecks(ctx, d.icinga, "Service", "")
	if err != nil {
		return Report{}, err
	}
	// The Director's hosts keep the dummy check they were created with:
	// it runs, so no host stays PENDING.
	if _, err := forceChecks(ctx, d.icinga, "Host", ""); err != nil {
		return Report{}, err
	}
	results, _, err := awaitResults(ctx, d.icinga.d, d.icinga.API, "", since, env.Cases)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Results: results}
	rep.Verdicts = append(rep.Verdicts,
		Verdict{"no password on a command line Icinga ran", noPassword(env, rep.Results)},
		Verdict{"every PBX's host checked UP", awaitHostsUp(ctx, d.icinga.d, d.icinga.API, "", since)},
		Verdict{"the basket dumps back as shipped", d.roundTrip(ctx, env)})
	return rep, nil
}

// noPassword: the password reached the plugin through the ini, never argv.
func noPassword(env *Env, rs []Result) error {
	for _, r := range rs {
		if !containsArg(r.Argv, "--extra-opts") {
			return fmt.Errorf("%s %s: no --extra-opts in %q", r.Case.Scenario, r.Case.Check, r.Argv)
		}
		if strings.Contains(strings.Join(r.Argv, " "), env.Login.Password) {
			return fmt.Errorf("%s %s: the password is on the command line", r.Case.Scenario, r.Case.Check)
		}
	}
	return nil
}

func containsArg(argv []string, a string) bool {
	for _, x := range argv {
		if x == a || strings.HasPrefix(x, a+"=") {
			return true
		}
	}
	return false
}

// roundTrip puts the restored objects in a basket and dumps it: Director
// must give back the file as shipped, so the file is in Director's own
// export format and nothing in it was dropped or changed on the way in.
func (d *director) roundTrip(ctx context.Context, env *Env) error {
	raw, err := os.ReadFile(filepath.Join(env.Contrib, "icinga2", "director-basket.json"))
	if err != nil {
		return err
	}
	var shipped map[string]map[string]any
	if err := json.Unmarshal(raw, &shipped); err != nil {
		return err
	}
	chosen := map[string]any{}
	for typ, objs := range shipped {
		switch typ {
		case "Datafield", "DataList":
			chosen[typ] = true // they come with the objects that use them
		default:
			var names []string
			for name := range objs {
				names = append(names, name)
			}
			chosen[typ] = names
		}
	}
	objects, _ := json.Marshal(chosen)
	if _, err := d.db.SQL(ctx, "director", fmt.Sprintf(
		"INSERT INTO director_basket (uuid, basket_name, owner_type, owner_value, objects) "+
			"VALUES (UNHEX(REPLACE(UUID(), '-', '')), 'check-itgrix', 'user', 'check-itgrix', '%s')",
		strings.ReplaceAll(string(objects), "'", "''"))); err != nil {
		return err
	}
	out, err := d.cli(ctx, "", "basket", "dump", "--name", "check-itgrix")
	if err != nil {
		return err
	}
	var dumped map[string]map[string]any
	if err := json.Unmarshal([]byte(out), &dumped); err != nil {
		return fmt.Errorf("basket dump: %w", err)
	}
	for typ, objs := range shipped {
		for name, o := range objs {
			if !reflect.DeepEqual(o, dumped[typ][name]) {
				a, _ := json.Marshal(o)
				b, _ := json.Marshal(dumped[typ][name])
				return fmt.Errorf("%s %s: shipped %s, Director dumps %s", typ, name, a, b)
			}
		}
		if len(dumped[typ]) != len(objs) {
			return fmt.Errorf("%s: shipped %d, Director dumps %d", typ, len(objs), len(dumped[typ]))
		}
	}
	return nil
}
