package integration

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

// icingaAgent is the agent checks of the Icinga 2 cluster: the master
// schedules them, the agent runs them (command_endpoint) against its local
// simulator. The agent is one host, so the scenarios take turns: for each,
// the master points the host's itgrix_port at that scenario's simulator,
// forces both checks and reads them back.
type icingaAgent struct{}

func newIcingaAgent() Component { return icingaAgent{} }

func (icingaAgent) Start(context.Context, *Env) error { return nil }
func (icingaAgent) Stop()                             {}

func (icingaAgent) Check(ctx context.Context, env *Env, _ Inputs) (Report, error) {
	c, ok := Lookup[*icingaCluster](env, "icinga-cluster")
	if !ok {
		return Report{}, fmt.Errorf("no icinga-cluster")
	}
	filter := fmt.Sprintf("host.name == %q", clusterAgent)
	var rep Report
	var sources []string
	var set string // the scenario whose host settings the agent host holds
	for _, s := range Scenarios(env.Cases) {
		port := strconv.Itoa(c.AgentPorts[s])
		attrs := map[string]any{"vars.itgrix_port": c.AgentPorts[s]}
		// The host plays each PBX in turn, with that PBX's own settings.
		// Icinga 2.13's API cannot drop a var again, so the scenarios with
		// settings must come last in the table.
		if set != "" {
			return Report{}, fmt.Errorf("scenario %s follows %s, whose host settings the agent host cannot drop: put scenarios with HostSettings last", s, set)
		}
		for _, h := range HostSettings[s] {
			attrs["vars."+h.Icinga] = h.IcingaValue()
			set = s
		}
		if _, err := c.Master.API.Do(ctx, "POST", "/v1/objects/hosts/"+clusterAgent, map[string]any{"attrs": attrs}); err != nil {
			return Report{}, err
		}
		since, err := forceChecks(ctx, c.Master, "Service", filter)
		if err != nil {
			return Report{}, err
		}
		var got []Result
		var others []string // this turn's results that another endpoint ran
		err = c.Master.Await(ctx, "the agent's results for "+s, func() error {
			rs, err := c.MasterResults(ctx, filter)
			if err != nil {
				return err
			}
			got, others = nil, nil
			for _, r := range rs {
				// A result of this turn: newer than the request and run
				// against this scenario's port.
				if r.End < since || len(r.Command) == 0 || !slices.Contains(r.Command, port) {
					continue
				}
				k, ok := FindCase(env.Cases, s, checkOf(r.Command[0]))
				if !ok {
					continue
				}
				got = append(got, r.result(k))
				if r.Source != clusterAgent {
					others = append(others, s+" "+r.Service+" by "+r.Source)
				}
			}
			if want := len(Checks(env.Cases, s)); len(got) < want {
				return fmt.Errorf("%d of %d results", len(got), want)
			}
			return nil
		})
		if err != nil {
			return Report{}, err
		}
		rep.Results = append(rep.Results, got...)
		sources = append(sources, others...)
	}
	var ran error
	if len(sources) > 0 {
		ran = fmt.Errorf("not run by %s: %v", clusterAgent, sources)
	}
	rep.Verdicts = append(rep.Verdicts, Verdict{"the agent ran every agent check", ran})
	return rep, nil
}
