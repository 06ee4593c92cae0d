package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Graphite is carbon-cache (whisper files in the run's dir) fed by Icinga
// 2's GraphiteWriter, read back through graphite-web's render API as a
// dashboard or Icinga Web's graphite module would.
type Graphite struct {
	dir         string
	linePort    int
	queryPort   int
	WebURL      string // graphite-web, for Icinga Web's graphite module
	carbon, web *Daemon
}

// graphiteStep is the finest interval Graphite stores.
const graphiteStep = 10 * time.Second

// debianPython is Debian's interpreter: graphite-web and carbon live in its
// dist-packages, which another python3 first on PATH would not see.
const debianPython = "/usr/bin/python3"

// Start writes carbon's and graphite-web's configuration and starts both.
func (g *Graphite) Start(ctx context.Context, env *Env) error {
	dir, err := env.Dir("graphite")
	if err != nil {
		return err
	}
	g.dir = dir
	var picklePort, webPort int
	for _, p := range []*int{&g.linePort, &picklePort, &g.queryPort, &webPort} {
		if *p, err = FreePort(); err != nil {
			return err
		}
	}
	carbonConf := fmt.Sprintf(`[cache]
STORAGE_DIR = %[1]s/storage/
LOCAL_DATA_DIR = %[1]s/storage/whisper/
WHITELISTS_DIR = %[1]s/storage/lists/
CONF_DIR = %[1]s/conf/
LOG_DIR = %[1]s/log/
PID_DIR = %[1]s/
DATABASE = whisper
ENABLE_LOGROTATION = False
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = 10000
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = %[2]d
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = %[3]d
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = %[4]d
WHISPER_AUTOFLUSH = True
WHISPER_FALLOCATE_CREATE = False
`, dir, g.linePort, picklePort, g.queryPort)
	// Icinga 2's documented retentions, but with points every 10 s instead
	// of every minute first: a graph draws a value only once its bucket
	// has passed, and the run should not wait a minute for that.
	schemas := fmt.Sprintf(`[icinga2_metadata]
pattern = ^icinga2\..*\.metadata\.
retentions = %[1]ds:1d,1m:7d

[icinga2_perfdata]
pattern = ^icinga2\..*\.perfdata\.
retentions = %[1]ds:1d,1m:2d,5m:10d,30m:90d,360m:4y

[default]
pattern = .*
retentions = %[1]ds:1d
`, int(graphiteStep/time.Second))
	// graphite-web reads its local settings from a module named by
	// GRAPHITE_SETTINGS_MODULE; this one points it at the run's files.
	settings := fmt.Sprintf(`SECRET_KEY = 'integration-run-only'
ALLOWED_HOSTS = ['*']
DEBUG = False
TIME_ZONE = 'UTC'
STORAGE_DIR = '%[1]s/web/'
CONF_DIR = '%[1]s/web/'
LOG_DIR = '%[1]s/log/'
INDEX_FILE = '%[1]s/web/index'
WHISPER_DIR = '%[1]s/storage/whisper/'
STANDARD_DIRS = ['%[1]s/storage/whisper/']
GRAPHITE_ROOT = '/usr/share/graphite-web'
STATIC_ROOT = '/usr/share/graphite-web/static'
CARBONLINK_HOSTS = ['127.0.0.1:%[2]d']
DATABASES = {'default': {'NAME': '%[1]s/web/graphite.db', 'ENGINE': 'django.db.backends.sqlite3'}}
`, dir, g.queryPort)
	for name, content := range map[string]string{
		"conf/carbon.conf":                carbonConf,
		"conf/storage-schemas.conf":       schemas,
		"web/itgrix_graphite_settings.py": settings,
		"storage/whisper/.keep":           "",
		"log/.keep":                       "",
	} {
		if err := writeFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return err
		}
	}
	if g.carbon, err = StartDaemon("carbon-cache", dir+"/carbon.out", nil,
		"carbon-cache", "--config="+dir+"/conf/carbon.conf", "--nodaemon", "start"); err != nil {
		return err
	}
	webEnv := append(DaemonEnv(), "PYTHONPATH="+dir+"/web", "DJANGO_SETTINGS_MODULE=graphite.settings",
		"GRAPHITE_SETTINGS_MODULE=itgrix_graphite_settings")
	addr := fmt.Sprintf("127.0.0.1:%d", webPort)
	// Django's own server is enough for one client; graphite-web's render
	// API needs no database for whisper files, so no migration is run.
	if g.web, err = StartDaemon("graphite-web", dir+"/graphite-web.out", webEnv,
		debianPython, "-m", "django", "runserver", "--noreload", addr); err != nil {
		return err
	}
	g.WebURL = "http://" + addr
	if err := Await(ctx, g.carbon, "carbon-cache's line receiver", func() error { return dialOK(addr0(g.linePort)) }); err != nil {
		return err
	}
	return Await(ctx, g.web, "graphite-web", func() error {
		_, err := httpGet(ctx, g.WebURL+"/version/")
		return err
	})
}

// Stop stops graphite-web and carbon-cache by PID.
func (g *Graphite) Stop() {
	g.web.Stop()
	g.carbon.Stop()
}

// IcingaConfig is the writer as an operator would set it up, sending the
// thresholds and the check's metadata (its state) as well.
func (g *Graphite) IcingaConfig(env *Env) string {
	return fmt.Sprintf(`object GraphiteWriter "graphite" {
  host = "127.0.0.1"
  port = %d
  enable_send_thresholds = true
  enable_send_metadata = true
}
`, g.linePort)
}

// IcingaReady waits for the writer to connect: Icinga drops the metrics of
// results checked before.
func (g *Graphite) IcingaReady(ctx context.Context, api *IcingaAPI) error {
	return Await(ctx, nil, "Icinga's GraphiteWriter to connect", func() error {
		return writerConnected(ctx, api, "GraphiteWriter", "graphite")
	})
}

// graphitePath is where the GraphiteWriter puts a service's values.
func graphitePath(host, service, command string) string {
	esc := func(s string) string { return strings.NewReplacer(".", "_", " ", "_", "\\", "_", "/", "_").Replace(s) }
	return "icinga2." + esc(host) + ".services." + esc(service) + "." + esc(command)
}

// Check reads every metric of every result Icinga recorded back through
// graphite-web and keeps one PNG per check with the run's outputs.
func (g *Graphite) Check(ctx context.Context, env *Env, in Inputs) (Report, error) {
	var rep Report
	results, commands, err := icingaRecorded(ctx, env, in)
	if err != nil {
		return rep, err
	}
	wait, cancel := context.WithTimeout(ctx, resultTimeout)
	defer cancel()
	for _, r := range results {
		name := fmt.Sprintf("%s %s", r.Case.Check, r.Case.Scenario)
		want, err := expectedMetrics(r)
		if err != nil {
			rep.Verdicts = append(rep.Verdicts, Verdict{name, err})
			continue
		}
		base := graphitePath(r.Case.Scenario, r.Service, commands[r.Case.Scenario+"!"+r.Service])
		var got map[string]float64
		// The writer flushes asynchronously: wait, bounded, for every value.
		err = awaitResult(wait, "the values in graphite", func() error {
			got, err = g.lastValues(ctx, base+".perfdata.*.{value,warn,crit}", base+".metadata.state")
			if err != nil {
				return err
			}
			return compareGraphite(got, base, want, r.State)
		})
		if err == nil {
			err = g.keepPNG(ctx, env, r, base)
		}
		rep.Verdicts = append(rep.Verdicts, Verdict{fmt.Sprintf("%s: %d metrics", name, len(want)), err})
	}
	return rep, nil
}

// compareGraphite holds when graphite has each metric's value (and its
// thresholds where they are plain numbers) and the state Icinga recorded.
func compareGraphite(got map[string]float64, base string, want []perfMetric, state int) error {
	var problems []string
	for _, m := range want {
		p := base + ".perfdata." + m.Label
		if v, ok := got[p+".value"]; !ok {
			problems = append(problems, m.Label+": no value")
		} else if !sameNumber(v, m.Value) {
			problems = append(problems, fmt.Sprintf("%s: %g, plugin printed %s", m.Label, v, m.Raw))
		}
		for suffix, t := range map[string]*float64{"warn": m.Warn, "crit": m.Crit} {
			if t == nil {
				continue
			}
			if v, ok := got[p+"."+suffix]; !ok || !sameNumber(v, *t) {
				problems = append(problems, fmt.Sprintf("%s.%s: %v, plugin printed %g", m.Label, suffix, valueOrNone(v, ok), *t))
			}
		}
	}
	if v, ok := got[base+".metadata.state"]; !ok || int(v) != state {
		problems = append(problems, fmt.Sprintf("state %v, Icinga recorded %d", valueOrNone(v, ok), state))
	}
	return problemsError(problems)
}

// problemsError is nil without problems, else one error naming them all.
func problemsError(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "; "))
}

func valueOrNone(v float64, ok bool) string {
	if !ok {
		return "none"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func sameNumber(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// lastValues renders targets as JSON over the last quarter hour and returns
// each series' last value.
func (g *Graphite) lastValues(ctx context.Context, targets ...string) (map[string]float64, error) {
	q := url.Values{"format": {"json"}, "from": {"-15min"}, "until": {"now"}}
	for _, t := range targets {
		q.Add("target", t)
	}
	body, err := httpGet(ctx, g.WebURL+"/render?"+q.Encode())
	if err != nil {
		return nil, err
	}
	var series []struct {
		Target     string
		Datapoints [][2]*float64
	}
	if err := json.Unmarshal(body, &series); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	out := map[string]float64{}
	for _, s := range series {
		for i := len(s.Datapoints) - 1; i >= 0; i-- {
			if v := s.Datapoints[i][0]; v != nil {
				out[s.Target] = *v
				break
			}
		}
	}
	return out, nil
}

// keepPNG saves graphite-web's rendering of a check's values.
func (g *Graphite) keepPNG(ctx context.Context, env *Env, r Result, base string) error {
	q := url.Values{"target": {"aliasByNode(" + base + ".perfdata.*.value, 6)"}, "from": {"-15min"},
		"width": {"800"}, "height": {"400"}, "title": {fmt.Sprintf("%s on %s", r.Service, r.Case.Scenario)}}
	png, err := httpGet(ctx, g.WebURL+"/render?"+q.Encode())
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(png), "\x89PNG") {
		return fmt.Errorf("graphite-web rendered no PNG: %.100q", png)
	}
	return env.KeepOutput(filepath.Join("graphite", r.Case.Scenario+"-"+string(r.Case.Check)+".png"), png)
}

func newGraphite() Component { return &Graphite{} }
