package integration

import (
	"context"
	"fmt"
	"time"
)

// icingaSatellite is the network checks of the Icinga 2 cluster: scheduled
// in the satellite zone, run by the satellite against each PBX, read back
// from the master's API.
type icingaSatellite struct{}

func newIcingaSatellite() Component { return icingaSatellite{} }

func (icingaSatellite) Start(context.Context, *Env) error { return nil }
func (icingaSatellite) Stop()                             {}

func (icingaSatellite) Check(ctx context.Context, env *Env, _ Inputs) (Report, error) {
	c, ok := Lookup[*icingaCluster](env, "icinga-cluster")
	if !ok {
		return Report{}, fmt.Errorf("no icinga-cluster")
	}
	since, err := forceChecks(ctx, c.Satellite, "Service", `service.zone == "satellite"`)
	if err != nil {
		return Report{}, err
	}
	if _, err := forceChecks(ctx, c.Satellite, "Host", `host.zone == "satellite"`); err != nil {
		return Report{}, err
	}
	results, from, err := awaitResults(ctx, c.Master.d, c.Master.API, `service.zone == "satellite"`, since, env.Cases)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Results: results}
	var sources []string
	for _, r := range from {
		if r.Source != clusterSatellite {
			sources = append(sources, r.Host+"!"+r.Service+" by "+r.Source)
		}
	}
	var ran error
	if len(sources) > 0 {
		ran = fmt.Errorf("not run by %s: %v", clusterSatellite, sources)
	}
	rep.Verdicts = append(rep.Verdicts,
		Verdict{"the satellite ran every network check", ran},
		Verdict{"every PBX's host checked UP", awaitHostsUp(ctx, c.Master.d, c.Master.API, `host.zone == "satellite"`, since)},
		Verdict{"every node loads contrib without a config warning", c.ConfigWarnings()})
	return rep, nil
}

// forceChecks asks node to check the objects of a type (Service, Host)
// matching filter ("" for all) now and returns the time asked, in Icinga's seconds. The node must
// be the one whose checker schedules them: Icinga 2.13 relays a forced check from the
// master to a satellite, whose checker then still waits for its own
// schedule (Icinga/icinga2#6766).
func forceChecks(ctx context.Context, n *icingaInstance, typ, filter string) (float64, error) {
	since := float64(time.Now().UnixNano()) / 1e9
	req := map[string]any{"type": typ, "force": true}
	if filter != "" {
		req["filter"] = filter
	}
	_, err := n.API.Do(ctx, "POST", "/v1/actions/reschedule-check", req)
	return since, err
}
