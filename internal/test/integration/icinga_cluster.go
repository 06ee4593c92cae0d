package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"check-itgrix/internal/sim"
)

// icingaCluster is Icinga 2 distributed: a master, a satellite zone with one
// satellite, and an agent, three instances with their own directories, API
// ports and certificates from a CA made for the run. The copy of
// contrib/icinga2 goes where its comments say: the CheckCommands in the
// global zone, the network services in the zone directory of the zone that
// checks the PBXs (the satellite's), the agent services in the master's.
// The master syncs them to the others. The agent's PBX is itself: a
// simulator on 127.0.0.1 serving one scenario per port.
type icingaCluster struct {
	Master, Satellite, Agent *icingaInstance
	// AgentPorts: the port of the agent's local simulator for each scenario.
	AgentPorts map[string]int
	sims       []*http.Server
}

// The cluster's names. The agent's host object is named after its
// endpoint and zone, as agent checks require.
const (
	clusterMaster    = "master.test"
	clusterSatellite = "satellite.test"
	clusterAgent     = "pbx-agent"
)

func newIcingaCluster() Component { return &icingaCluster{} }

func (c *icingaCluster) Start(ctx context.Context, env *Env) error {
	dir, err := env.Dir("icinga-cluster")
	if err != nil {
		return err
	}
	ca, err := newIcingaCA()
	if err != nil {
		return err
	}
	for _, n := range []struct {
		p    **icingaInstance
		name string
	}{{&c.Master, clusterMaster}, {&c.Satellite, clusterSatellite}, {&c.Agent, clusterAgent}} {
		if *n.p, err = newIcingaInstance(filepath.Join(dir, strings.TrimSuffix(n.name, ".test")), n.name, ca); err != nil {
			return err
		}
	}
	if err := c.startSims(env); err != nil {
		return err
	}
	if err := c.writeZonesD(env); err != nil {
		return err
	}
	zones := func(self *icingaInstance, zone string) string {
		var b strings.Builder
		for _, n := range []*icingaInstance{c.Master, c.Satellite, c.Agent} {
			// Each child connects to the master; nobody else connects.
			b.WriteString(n.Endpoint(n == c.Master && self != c.Master))
		}
		fmt.Fprintf(&b, `object Zone "master" { endpoints = [ %q ] }
object Zone "satellite" { endpoints = [ %q ]; parent = "master" }
object Zone %q { endpoints = [ %q ]; parent = "master" }
object Zone "global-templates" { global = true }
const ZoneName = %q
`, clusterMaster, clusterSatellite, clusterAgent, clusterAgent, zone)
		return b.String()
	}
	master := zones(c.Master, "master") + fmt.Sprintf("object CheckerComponent \"checker\" { }\ninclude_zones \"itgrix\", %q\n",
		filepath.Join(c.Master.Dir, "zones.d"))
	if err := c.Master.Start(ctx, env, master, "*"); err != nil {
		return err
	}
	// The children only answer the run's queries (and the satellite is
	// told to check now: see icinga-satellite).
	errs := make(chan error, 2)
	go func() {
		errs <- c.Satellite.Start(ctx, env, zones(c.Satellite, "satellite")+"object CheckerComponent \"checker\" { }\n",
			"status/query", "objects/query/*", "actions/reschedule-check")
	}()
	go func() {
		errs <- c.Agent.Start(ctx, env, zones(c.Agent, clusterAgent), "status/query", "objects/query/*")
	}()
	for range 2 {
		if err := <-errs; err != nil {
			return err
		}
	}
	return c.awaitSynced(ctx, env)
}

// writeZonesD lays out the master's zones.d: contrib where its comments
// say, the hosts, and the stock templates contrib imports.
func (c *icingaCluster) writeZonesD(env *Env) error {
	zd := filepath.Join(c.Master.Dir, "zones.d")
	for file, zone := range map[string]string{
		"itgrix-commands.conf":       "global-templates",
		"itgrix-services.conf":       "satellite",
		"itgrix-agent-services.conf": "master",
	} {
		if err := copyFile(filepath.Join(env.Contrib, "icinga2", file), filepath.Join(zd, zone, file), 0o644); err != nil {
			return err
		}
	}
	// The package's generic-host and generic-service, which contrib
	// imports, in the global zone as Icinga's distributed setup advises, so
	// every node has them.
	if err := copyFile(icingaStockTemplates, filepath.Join(zd, "global-templates", "templates.conf"), 0o644); err != nil {
		return err
	}
	// Network PBXs: credentials from the section named after the host in
	// an ini on the satellite, which runs their checks.
	ini := filepath.Join(c.Satellite.Dir, "itgrix.ini")
	var hosts, sections strings.Builder
	// The satellite checks the PBXs' hosts too.
	hosts.WriteString(icingaHostCheck())
	for _, p := range env.PBXs {
		fmt.Fprintf(&hosts, `object Host %q {
  import "generic-host"
  check_command = "itgrix-test-pbx-alive"
  address = %q
  vars.itgrix = true
  vars.itgrix_extra_opts = "$host.name$@%s"
%s}
`, p.Scenario, p.Addr, ini, IcingaVars(p.Scenario))
		fmt.Fprintf(&sections, "[%s]\nurl = http://%s:8077/status\nusername = %s\npassword = %s\n\n",
			p.Scenario, p.Addr, env.Login.User, env.Login.Password)
	}
	if err := writeFile(filepath.Join(zd, "satellite", "hosts.conf"), hosts.String(), 0o644); err != nil {
		return err
	}
	if err := writeFile(ini, sections.String(), 0o600); err != nil {
		return err
	}
	// The agent: its credentials in an ini on the agent; icinga-agent
	// points vars.itgrix_port at one scenario after the other.
	agentIni := filepath.Join(c.Agent.Dir, "itgrix.ini")
	if err := writeFile(agentIni, fmt.Sprintf("[itgrix]\nusername = %s\npassword = %s\n", env.Login.User, env.Login.Password), 0o600); err != nil {
		return err
	}
	first := Scenarios(env.Cases)[0]
	return writeFile(filepath.Join(zd, "master", "agent-host.conf"), fmt.Sprintf(`object Host %q {
  import "generic-host"
  check_command = "dummy"
  address = "127.0.0.1"
  vars.itgrix = true
  vars.itgrix_agent = true
  vars.itgrix_extra_opts = "itgrix@%s"
  vars.itgrix_port = %d
}
`, clusterAgent, agentIni, c.AgentPorts[first]), 0o644)
}

// startSims serves each scenario on its own port of 127.0.0.1, for the
// agent to check locally.
func (c *icingaCluster) startSims(env *Env) error {
	c.AgentPorts = map[string]int{}
	for _, s := range Scenarios(env.Cases) {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: sim.Handler(sim.Config{
			Username: env.Login.User, Password: env.Login.Password, Scenario: s,
			// Dated in the zone the plugins run in (DaemonEnv).
			Now: func() time.Time { return time.Now().UTC() },
		}), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(l) }()
		c.sims = append(c.sims, srv)
		c.AgentPorts[s] = l.Addr().(*net.TCPAddr).Port
	}
	return nil
}

// awaitSynced waits until the children run the configuration the master
// synced to them (the sync makes each reload) and are connected again.
func (c *icingaCluster) awaitSynced(ctx context.Context, env *Env) error {
	count := func(n *icingaInstance, path string) (int, error) {
		var r struct{ Results []json.RawMessage }
		b, err := n.API.Do(ctx, "GET", path, nil)
		if err != nil {
			return 0, err
		}
		err = json.Unmarshal(b, &r)
		return len(r.Results), err
	}
	connected := func(n *icingaInstance, peers ...string) error {
		for _, p := range peers {
			b, err := n.API.Do(ctx, "GET", "/v1/objects/endpoints/"+url.PathEscape(p)+"?attrs=connected", nil)
			if err != nil {
				return err
			}
			var r struct {
				Results []struct{ Attrs struct{ Connected bool } }
			}
			if err := json.Unmarshal(b, &r); err != nil {
				return err
			}
			if len(r.Results) != 1 || !r.Results[0].Attrs.Connected {
				return fmt.Errorf("%s: %s not connected", n.Name, p)
			}
		}
		return nil
	}
	return c.Master.Await(ctx, "the satellite and the agent to load the synced configuration", func() error {
		if n, err := count(c.Satellite, "/v1/objects/services"); err != nil || n < 2*len(env.PBXs) {
			return fmt.Errorf("satellite has %d services (%v)", n, err)
		}
		if n, err := count(c.Agent, "/v1/objects/checkcommands?"+icingaQuery(url.Values{"filter": {`match("itgrix-*", checkcommand.name)`}})); err != nil || n == 0 {
			return fmt.Errorf("agent has %d itgrix CheckCommands (%v)", n, err)
		}
		if err := connected(c.Satellite, clusterMaster); err != nil {
			return err
		}
		if err := connected(c.Agent, clusterMaster); err != nil {
			return err
		}
		return connected(c.Master, clusterSatellite, clusterAgent)
	})
}

func (c *icingaCluster) Stop() {
	c.Agent.Stop()
	c.Satellite.Stop()
	c.Master.Stop()
	for _, s := range c.sims {
		s.Close()
	}
}

// ConfigWarnings: every node loaded contrib without a warning.
func (c *icingaCluster) ConfigWarnings() error {
	for _, n := range []*icingaInstance{c.Master, c.Satellite, c.Agent} {
		if err := n.ConfigWarnings(); err != nil {
			return fmt.Errorf("%s: %w", n.Name, err)
		}
	}
	return nil
}

// MasterResults reads the services matching filter from the master's API:
// the one place every result reaches.
func (c *icingaCluster) MasterResults(ctx context.Context, filter string) ([]icingaResult, error) {
	return icingaResults(ctx, c.Master.API, filter)
}
