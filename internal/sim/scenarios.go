// Package sim is a stand-in for the Itgrix status endpoint: named scenarios
// built relative to a clock (so a demo never rots), served behind Digest
// authentication, with the vendor's "path" parameter.
package sim

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// scenario builds a status document for the day it is asked on.
type scenario struct {
	about string
	build func(now time.Time) map[string]any
}

var scenarios = map[string]scenario{
	"healthy": {"running, status Ok, Professional licence 200 days out", func(now time.Time) map[string]any {
		return base(now, 200)
	}},
	"warning": {"running with app_status Warning and an error text", func(now time.Time) map[string]any {
		d := base(now, 200)
		d["app_status"] = "Warning"
		d["app_err"] = "CRM answered 503, retrying in 30s"
		return d
	}},
	"restarting": {"restarting after losing the CRM connection", func(now time.Time) map[string]any {
		d := base(now, 200)
		d["app_state"] = "restarting"
		d["app_status"] = "Warning"
		d["app_err"] = "connection to CRM lost: dial tcp: i/o timeout"
		return d
	}},
	"reconfiguring": {"normal restart after a settings change (app_state restarting, app_status Ok)", func(now time.Time) map[string]any {
		d := base(now, 200)
		d["app_state"] = "restarting"
		return d
	}},
	"stopped": {"stopped on an error, waiting for a human (Kommo)", func(now time.Time) map[string]any {
		d := base(now, 120)
		d["app_state"] = "stopped"
		d["app_status"] = "Error"
		d["app_err"] = "CRM authorization failed: refresh token rejected"
		app := d["app"].(map[string]any)
		app["crm_type"] = "kommo"
		crm := app["crm"].(map[string]any)
		crm["host"] = "https://pbx-demo.kommo.example"
		crm["on"] = false
		manager := crm["manager"].(map[string]any)
		manager["on"] = false
		manager["connector"].(map[string]any)["on"] = false
		manager["connector"].(map[string]any)["app_type"] = "LicenseType_Subscription"
		d["license"].(map[string]any)["type"] = "Subscription"
		delete(app, "c2c")
		app["calls_queue"] = map[string]any{"calls": 17, "lock": "locked in 2.1µs"}
		return d
	}},
	"queue": {"running, but 25 calls waiting in the call queue", func(now time.Time) map[string]any {
		d := base(now, 200)
		d["app"].(map[string]any)["calls_queue"] = map[string]any{"calls": 25, "lock": "locked in 3µs"}
		return d
	}},
	"expiring": {"Professional licence with 10 days left", func(now time.Time) map[string]any {
		return base(now, 10)
	}},
	"lastday": {"Professional licence whose last valid day is today", func(now time.Time) map[string]any {
		return base(now, 0)
	}},
	"expired": {"Professional licence that expired 3 days ago", func(now time.Time) map[string]any {
		return base(now, -3)
	}},
	"free": {"licence fell back to Free, no expiry date", func(now time.Time) map[string]any {
		d := base(now, 0)
		d["license"] = map[string]any{"type": "Free", "valid_till": ""}
		return d
	}},
	"stale-cache": {"running, but the users cache was last refreshed from the CRM 3 days ago", func(now time.Time) map[string]any {
		d := base(now, 200)
		cache := d["app"].(map[string]any)["crm"].(map[string]any)["users_cache"].(map[string]any)
		cache["last_updated"] = now.Add(-(3*24*time.Hour + 2*time.Hour)).Format(cacheLayout)
		return d
	}},
	"storage": {"running, but 250 calls held in storage", func(now time.Time) map[string]any {
		d := base(now, 200)
		d["app"].(map[string]any)["calls_storage"] = map[string]any{"calls": 250}
		return d
	}},
	"batch": {"running, but 400 CRM requests waiting for a batch", func(now time.Time) map[string]any {
		d := base(now, 200)
		d["app"].(map[string]any)["crm"].(map[string]any)["manager"].(map[string]any)["batch_queue"] = 400
		return d
	}},
	"crm-off": {"running with the CRM link and its connector switched off", func(now time.Time) map[string]any {
		d := base(now, 200)
		crm := d["app"].(map[string]any)["crm"].(map[string]any)
		crm["on"] = false
		crm["manager"].(map[string]any)["connector"].(map[string]any)["on"] = false
		return d
	}},
	"foreign": {"another service answers on the port: JSON, but not an Itgrix status document (--invalid-state)", func(time.Time) map[string]any {
		return map[string]any{"error": "unauthorized", "service": "not-itgrix"}
	}},
	"c2c-down": {"running, click-to-call switched on but not connected", func(now time.Time) map[string]any {
		d := base(now, 200)
		d["app"].(map[string]any)["c2c"].(map[string]any)["connected"] = false
		return d
	}},
}

// cacheLayout is how the vendor writes the users cache's timestamp.
const cacheLayout = "2006-01-02 15:04:05.000 -07:00"

// Scenarios lists the scenario names with what each shows, sorted.
func Scenarios() []string {
	names := make([]string, 0, len(scenarios))
	for n := range scenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%-10s %s", n, scenarios[n].about)
	}
	return out
}

// Document returns the named scenario's document as of now.
func Document(name string, now time.Time) ([]byte, error) {
	s, ok := scenarios[name]
	if !ok {
		return nil, fmt.Errorf("unknown scenario %q", name)
	}
	return json.MarshalIndent(s.build(now), "", "  ")
}

// base is a healthy Itgrix bx document whose licence ends validFor days
// after now's date, shaped like the vendor's documented example.
func base(now time.Time, validFor int) map[string]any {
	y, m, d := now.Date()
	till := time.Date(y, m, d+validFor, 12, 0, 0, 0, now.Location()).Format(time.DateOnly)
	return map[string]any{
		"app": map[string]any{
			"c2c": map[string]any{
				"connected": true, "on": true, "stayon": false,
				"portal": "pbx-demo.bitrix24.example", "url": "https://c2c.itgrix.example:9004",
			},
			"calls_queue":   map[string]any{"calls": 0, "lock": "locked in 412ns"},
			"calls_storage": map[string]any{"calls": 3},
			"crm": map[string]any{
				"host": "https://pbx-demo.bitrix24.example",
				"on":   true,
				"manager": map[string]any{
					"batch_queue": 0,
					"on":          true,
					"connector": map[string]any{
						"app_type": "LicenseType_Professional",
						"authseq":  map[string]any{"err": "<nil>", "sequences": 0},
						"on":       true,
						"portal":   "pbx-demo.bitrix24.example",
					},
				},
				"users_cache": map[string]any{
					"last_updated": now.Add(-5 * time.Minute).Format(cacheLayout),
					"phones":       42,
					"users":        57,
				},
			},
			"crm_type":   "bitrix",
			"customizer": map[string]any{"enabled": true, "methods": map[string]any{"customize_activity": true}},
		},
		"app_err":    "",
		"app_state":  "",
		"app_status": "Ok",
		"license":    map[string]any{"type": "Professional", "valid_till": till},
	}
}
