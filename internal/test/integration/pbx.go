package integration

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"check-itgrix/internal/sim"
)

// apache is Apache httpd with mod_auth_digest, a Digest server nobody here
// wrote, serving each scenario's document as its own PBX at ADDR:8077/status.
type apache struct {
	d *Daemon
}

func newApache() Component { return &apache{} }

func (a *apache) Start(ctx context.Context, env *Env) error {
	dir, err := env.Dir("pbx")
	if err != nil {
		return err
	}
	// Apache will not serve as root: its workers run as www-data then.
	runUser, runGroup := env.EngineUser, env.EngineGroup
	if os.Geteuid() == 0 {
		runUser, runGroup = "www-data", "www-data"
	}
	ha1 := md5.Sum([]byte(env.Login.User + ":" + env.Login.Realm + ":" + env.Login.Password))
	if err := writeFile(filepath.Join(dir, "htdigest"), fmt.Sprintf("%s:%s:%s\n", env.Login.User, env.Login.Realm, hex.EncodeToString(ha1[:])), 0o644); err != nil {
		return err
	}
	var conf strings.Builder
	fmt.Fprintf(&conf, `ServerRoot "%[1]s"
PidFile "%[1]s/httpd.pid"
DefaultRuntimeDir "%[1]s"
ErrorLog "%[1]s/error.log"
LogLevel warn
User %[2]s
Group %[3]s
ServerName itgrix-test
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so
LoadModule auth_digest_module /usr/lib/apache2/modules/mod_auth_digest.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
TypesConfig /etc/mime.types
`, dir, runUser, runGroup)
	// Dated in the zone the plugins run in (DaemonEnv).
	now := time.Now().UTC()
	for _, p := range env.PBXs {
		doc, err := sim.Document(p.Scenario, now)
		if err != nil {
			return err
		}
		root := filepath.Join(dir, "www", p.Scenario)
		if err := writeFile(filepath.Join(root, "status"), string(doc)+"\n", 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&conf, `Listen %[1]s:8077
<VirtualHost %[1]s:8077>
  ServerName %[1]s
  DocumentRoot "%[2]s"
  <Files "status">
    ForceType application/json
  </Files>
  <Location "/">
    AuthType Digest
    AuthName "%[3]s"
    AuthDigestProvider file
    AuthUserFile "%[4]s/htdigest"
    Require valid-user
  </Location>
</VirtualHost>
`, p.Addr, root, env.Login.Realm, dir)
	}
	if err := writeFile(filepath.Join(dir, "httpd.conf"), conf.String(), 0o644); err != nil {
		return err
	}
	a.d, err = StartDaemon("apache2", filepath.Join(dir, "daemon.log"), nil,
		"apache2", "-f", filepath.Join(dir, "httpd.conf"), "-DFOREGROUND")
	if err != nil {
		return err
	}
	// Up when every PBX asks for Digest credentials.
	return Await(ctx, a.d, "apache2 to serve every PBX", func() error {
		for _, p := range env.PBXs {
			resp, err := http.Get("http://" + p.Addr + ":8077/status")
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				return fmt.Errorf("%s: HTTP %d", p.Addr, resp.StatusCode)
			}
		}
		return nil
	})
}

func (a *apache) Stop() { a.d.Stop() }

// pbxHostCheck is the host check every engine gives a PBX's host, with
// addr the engine's macro for the host's address: the connector's port
// answers TCP (monitoring-plugins' check_tcp). Forced with the services,
// it shows the host UP next to the checks, never PENDING.
func pbxHostCheck(addr string) []string {
	return []string{"/usr/lib/nagios/plugins/check_tcp", "-H", addr, "-p", "8077"}
}
