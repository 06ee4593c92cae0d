package app_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"check-itgrix/internal/app"
	"check-itgrix/internal/check"
	"check-itgrix/internal/itgrix"
	"check-itgrix/internal/license"
)

// metric is one performance data metric in the plugin guidelines' grammar,
// with plain decimal numbers only.
var metric = regexp.MustCompile(`^'[a-z_]+'=-?[0-9]+(\.[0-9]+)?s?;` +
	`(@?((~|-?[0-9]+(\.[0-9]+)?):)?(-?[0-9]+(\.[0-9]+)?)?);` +
	`(@?((~|-?[0-9]+(\.[0-9]+)?):)?(-?[0-9]+(\.[0-9]+)?)?);` +
	`(-?[0-9]+(\.[0-9]+)?)?;(-?[0-9]+(\.[0-9]+)?)?$`)

// checkOutput evaluates doc with both checks, every alert set, and holds the
// default output to its promises: under MaxDefaultOutput bytes, one '|',
// every metric in the guidelines' grammar.
func checkOutput(t *testing.T, doc []byte) {
	s, err := itgrix.Parse(doc)
	if err != nil {
		return
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	warn, _ := check.ParseRange("@-12345678.5:12345678.25")
	crit, _ := check.ParseRange("~:99999999999")
	ao := app.DefaultOptions()
	ao.QueueWarning, ao.QueueCritical = &warn, &crit
	ao.StorageWarning, ao.StorageCritical = &warn, &crit
	ao.BatchWarning, ao.BatchCritical = &warn, &crit
	hour, day := time.Hour, 24*time.Hour
	ao.CacheAgeWarning, ao.CacheAgeCritical = &hour, &day
	ao.CRMOff, ao.C2C = check.Warning, check.Critical
	lo := license.DefaultOptions()
	lo.Expected = []string{"Professional", "Subscription"}
	for _, r := range []check.Result{app.Evaluate(s, ao, now), license.Evaluate(s, lo, now)} {
		r.Perf = append(r.Perf, check.Perf{Label: "time", Value: 0.012345, UOM: "s", Min: "0"})
		var buf bytes.Buffer
		if err := check.Write(&buf, r, 0, check.IcingaWeb2); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if len(out) > check.MaxDefaultOutput || strings.Count(out, "|") != 1 {
			t.Fatalf("default output of %d bytes for %.300q:\n%s", len(out), doc, out)
		}
		_, perf, _ := strings.Cut(strings.TrimSpace(out), "| ")
		for _, m := range strings.Fields(perf) {
			if !metric.MatchString(m) {
				t.Fatalf("metric %q outside the guidelines' grammar in:\n%s", m, out)
			}
		}
	}
}

// randomDocument builds a status document whose every element is, at
// random, missing, null, of the wrong type, absurdly large or small, or a
// long string full of what output must not carry.
func randomDocument(rng *rand.Rand) []byte {
	numbers := []any{0, 1, -1, 0.5, 1e19, 1e20, 1e-300, math.MaxFloat64, -math.MaxFloat64, 123456789012, 4.9e-324}
	text := func() string {
		parts := []string{"Ok", "Error", "stopped", "|", "\n", "\t", "\u202e", "📞", "é", "'x'=1;2;3", strings.Repeat("long ", 50), "2027-05-11", "\x1b[31m"}
		var b strings.Builder
		for n := rng.IntN(200); n > 0; n-- {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		return b.String()
	}
	value := func(num bool) any {
		switch rng.IntN(6) {
		case 0:
			return nil
		case 1:
			if num {
				return text()
			}
			return numbers[rng.IntN(len(numbers))]
		case 2:
			return map[string]any{"x": 1}
		}
		if num {
			return numbers[rng.IntN(len(numbers))]
		}
		return text()
	}
	set := func(m map[string]any, key string, num bool) {
		if rng.IntN(8) != 0 {
			m[key] = value(num)
		}
	}
	switches := []any{true, false, nil, "on", 1, map[string]any{"x": 1}}
	setSwitch := func(m map[string]any, key string) {
		if rng.IntN(8) != 0 {
			m[key] = switches[rng.IntN(len(switches))]
		}
	}
	doc := map[string]any{}
	appObj := map[string]any{}
	crm := map[string]any{}
	manager := map[string]any{}
	connector := map[string]any{}
	cache := map[string]any{}
	lic := map[string]any{}
	for _, k := range []string{"app_state", "app_status", "app_err"} {
		set(doc, k, false)
	}
	set(lic, "type", false)
	set(lic, "valid_till", false)
	set(appObj, "crm_type", false)
	set(crm, "host", false)
	set(cache, "last_updated", false)
	set(cache, "users", true)
	set(cache, "phones", true)
	set(manager, "batch_queue", true)
	set(connector, "app_type", false)
	c2c := map[string]any{}
	setSwitch(crm, "on")
	setSwitch(manager, "on")
	setSwitch(connector, "on")
	setSwitch(c2c, "on")
	setSwitch(c2c, "connected")
	appObj["c2c"] = c2c
	appObj["calls_queue"] = map[string]any{"calls": value(true)}
	appObj["calls_storage"] = map[string]any{"calls": value(true)}
	manager["connector"], crm["manager"], crm["users_cache"], appObj["crm"] = connector, manager, cache, crm
	doc["app"], doc["license"] = appObj, lic
	b, _ := json.Marshal(doc)
	return b
}

// TestDefaultOutputBoundedForAnyDocument is the property behind the
// 1000-byte limit: whatever the document holds, the default output fits and its
// performance data are plain decimals in the guidelines' grammar.
func TestDefaultOutputBoundedForAnyDocument(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2026))
	for i := 0; i < 1000; i++ {
		checkOutput(t, randomDocument(rng))
	}
	// Every number element at its most absurd at once.
	checkOutput(t, []byte(`{"app_status":"Error","app_state":"stopped","app_err":"`+strings.Repeat("é|", 900)+`",
		"app":{"calls_queue":{"calls":1.7976931348623157e308},"calls_storage":{"calls":1.7976931348623157e308},
		"crm":{"manager":{"batch_queue":-1.7976931348623157e308},"users_cache":{"users":1e308,"phones":4.9e-324}}},
		"license":{"type":"`+strings.Repeat("📞", 300)+`","valid_till":"0001-01-01"}}`))
}

// FuzzDefaultOutput searches for a document that breaks the property.
//
//	go test -run '^$' -fuzz '^FuzzDefaultOutput$' -fuzztime 10m ./internal/app
func FuzzDefaultOutput(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 8; i++ {
		f.Add(randomDocument(rng))
	}
	f.Add([]byte(`{"app_status":"Ok","app_state":"","app":{"calls_queue":{"calls":1.7976931348623157e308}}}`))
	f.Fuzz(func(t *testing.T, doc []byte) { checkOutput(t, doc) })
}
