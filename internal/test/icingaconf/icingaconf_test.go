package icingaconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// contribDir is where the files under test live; tests may point it at a copy.
var contribDir = filepath.Join("..", "..", "..", "contrib", "icinga2")

func loadConf(t *testing.T, name string) []Block {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(contribDir, name))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := Parse(string(raw))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return blocks
}

func TestParseValues(t *testing.T) {
	src := `/* comment { with braces } */
template CheckCommand "base" {
	arguments = {
		"-H" = { value = "$addr$"; description = "a \"quoted\" word" }
	}
	vars.port = 8077 // trailing comment
}
# hash comment
object CheckCommand "x" {
	import "ipv4-or-ipv6"
	import "base"
	command = [ PluginDir + "/check_x" ]
	arguments += {
		"-S" = {
			set_if = "$tls$"
		}
		"--many" = {
			value = "$list$"
			repeat_key = true
		}
	}
	arguments += { "-v" = "$verbose$" }
	vars.list = [ "a", "b" ]
	vars.ok = false
}
apply Service "s" {
	command_endpoint = host.name
	check_interval = 1m
	retry_interval = 30s
	assign where host.vars.x && !host.vars.y
}
`
	blocks, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 {
		t.Fatalf("%d blocks", len(blocks))
	}
	x, ok := Find(blocks, "object", "CheckCommand", "x")
	if !ok {
		t.Fatal("no x")
	}
	for _, c := range []struct{ got, want string }{
		{strings.Join(x.Imports, ","), "ipv4-or-ipv6,base"},
		{fmt.Sprint(x.Attrs["command"]), "[{PluginDir /check_x}]"},
		{Text(x.Attrs["arguments"].(map[string]any)["--many"].(map[string]any)["repeat_key"]), "true"},
		// += merges into the dictionary already there.
		{Text(x.Attrs["arguments"].(map[string]any)["-v"]), "$verbose$"},
		{Text(x.Attrs["arguments"].(map[string]any)["-S"].(map[string]any)["set_if"]), "$tls$"},
		{Text(x.Attrs["vars.list"]), "[a, b]"},
		{Text(x.Attrs["vars.ok"]), "false"},
		{Text(blocks[0].Attrs["arguments"].(map[string]any)["-H"].(map[string]any)["description"]), `a "quoted" word`},
		{Text(blocks[0].Attrs["vars.port"]), "8077"},
		{Text(blocks[2].Attrs["check_interval"]), "60"},
		{Text(blocks[2].Attrs["retry_interval"]), "30"},
		{Text(blocks[2].Attrs["command_endpoint"]), "host.name"},
		{strings.Join(blocks[2].Where, ";"), "assign where host.vars.x & & ! host.vars.y"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, src := range []string{
		`object CheckCommand "x" { vars.a = "open }`,
		`/* never closed`,
		`const X = 1`,
		`object CheckCommand "x" { vars.a = PluginDir + Other }`,
		`object CheckCommand "x" { vars.a = 1d }`,
		`object CheckCommand "x" { vars.a == 1 }`,
		`object CheckCommand "x" { vars.a = 1`,
		`object CheckCommand x { }`,
		`object CheckCommand "x" { vars.a = { "k" 1 } }`,
	} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q) accepted it", src)
		}
	}
}

// Every shipped Icinga file is within the subset, so the comparisons read
// all of it.
func TestContribParses(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(contribDir, "*.conf"))
	if len(files) == 0 {
		t.Fatal("no contrib/icinga2/*.conf")
	}
	for _, f := range files {
		loadConf(t, filepath.Base(f))
	}
}
