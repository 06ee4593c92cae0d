package integration

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"path/filepath"
	"time"
)

// This file is what make bench-fleet (internal/test/benchfleet) takes from
// the harness to run its engines: the Icinga CA, a single node's
// icinga2.conf head and argv, its API client, and Naemon's build, so that
// no engine is configured twice.

// IcingaCA issues the certificates of a run's Icinga nodes.
type IcingaCA struct{ ca *icingaCA }

// NewIcingaCA makes a CA valid for two days.
func NewIcingaCA() (IcingaCA, error) {
	ca, err := newIcingaCA()
	return IcingaCA{ca}, err
}

// Issue writes ca.crt and NAME.crt/NAME.key into certs (DataDir/certs).
func (c IcingaCA) Issue(certs, name string) error { return c.ca.issue(certs, name) }

// API is a client of the node NAME's REST API on 127.0.0.1:port that
// trusts only this CA.
func (c IcingaCA) API(name string, port int, user, password string) *IcingaAPI {
	a := &IcingaAPI{Base: fmt.Sprintf("https://127.0.0.1:%d", port), User: user, Password: password}
	a.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: c.ca.pool, ServerName: name}, Proxy: nil}}
	return a
}

// IcingaNode is a standalone Icinga 2 node: master zone, checker, API.
type IcingaNode struct {
	PluginDir, Name      string
	Log, Severity        string // the FileLogger's path and severity
	APIPort              int
	APIUser, APIPassword string
}

// Conf is the head of the node's icinga2.conf; the caller adds its
// objects after it.
func (n IcingaNode) Conf() string {
	return fmt.Sprintf(`const PluginDir = %q
const NodeName = %q
const ZoneName = "master"
include <itl>
include <plugins>
object FileLogger "main" { path = %q; severity = %q }
object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }
object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = %d }
object ApiUser %q { password = %q; permissions = [ "*" ] }
object CheckerComponent "checker" { }
`, n.PluginDir, n.Name, n.Log, n.Severity, n.APIPort, n.APIUser, n.APIPassword)
}

// IcingaDaemonArgv runs Icinga 2 in the foreground from dir: dir/icinga2.conf,
// and its data, log, cache, spool and run directories under dir (which
// IcingaDirs creates), switching to user and group.
func IcingaDaemonArgv(dir, user, group string) []string {
	argv := []string{"icinga2", "daemon", "-c", filepath.Join(dir, "icinga2.conf")}
	for _, k := range []string{"DataDir", "LogDir", "CacheDir", "SpoolDir", "InitRunDir"} {
		argv = append(argv, "-D"+k+"="+filepath.Join(dir, icingaDirs[k]))
	}
	return append(argv, "-DRunAsUser="+user, "-DRunAsGroup="+group)
}

var icingaDirs = map[string]string{"DataDir": "lib", "LogDir": "log", "CacheDir": "cache", "SpoolDir": "spool", "InitRunDir": "run"}

// IcingaDirs creates the directories IcingaDaemonArgv names, and lib/certs.
func IcingaDirs(dir string) error {
	for _, d := range []string{"lib/certs", "log", "run", "cache", "spool"} {
		if err := mkdirAll(filepath.Join(dir, d)); err != nil {
			return err
		}
	}
	return nil
}

// BuildNaemon returns the naemon binary of the cached build of root's
// vendored source, building it once in work (under a lock shared by
// concurrent runs and make integration).
func BuildNaemon(ctx context.Context, root, work string, logf func(format string, a ...any)) (string, error) {
	bin, _, err := naemonBuildIn(ctx, root, work, logf)
	return bin, err
}
