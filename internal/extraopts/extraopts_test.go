package extraopts

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSection(t *testing.T) {
	cases := []struct {
		name, ini, section string
		want               []string
		err                string
	}{
		{"key=value", "[s]\nurl=http://pbx1:8077/status\n", "s", []string{"--url=http://pbx1:8077/status"}, ""},
		{"key= is a flag without value", "[s]\ntls=\nverbose =  \n", "s", []string{"--tls", "--verbose"}, ""},
		{"whitespace trimmed everywhere", "  [  s  ]  \n\t username \t=\t admin \t\r\n", "s", []string{"--username=admin"}, ""},
		{"several spaces before = are not part of the key", "[s]\nhostname    =pbx1\n", "s", []string{"--hostname=pbx1"}, ""},
		{"CRLF file", "[s]\r\nusername=admin\r\npassword=pa ss\r\n", "s", []string{"--username=admin", "--password=pa ss"}, ""},
		{"value keeps inner spaces, = and #", "[s]\npassword = a b=c #d;e \n", "s", []string{"--password=a b=c #d;e"}, ""},
		{"quotes are part of the value", "[s]\npassword=\"x\"\n", "s", []string{`--password="x"`}, ""},
		{"comments", "# top\n; top\n[s]\n# c\n  ; c\nport=1\n", "s", []string{"--port=1"}, ""},
		{"comment after the header", "[s] ; pbx in room 2\nport=1\n", "s", []string{"--port=1"}, ""},
		{"one-letter key", "[s]\nt=5\nw=-5:5\nS=\n", "s", []string{"-t5", "-w-5:5", "-S"}, ""},
		{"other sections are skipped", "[a]\nport=1\n[s]\nport=2\n[b]\nport=3\n", "s", []string{"--port=2"}, ""},
		{"a section twice contributes both parts", "[s]\nport=1\n[a]\nport=2\n[s]\nurl=u\n", "s", []string{"--port=1", "--url=u"}, ""},
		{"order kept", "[s]\nb=1\na=2\nb=3\n", "s", []string{"-b1", "-a2", "-b3"}, ""},
		{"no final newline", "[s]\nport=1", "s", []string{"--port=1"}, ""},
		{"section names are case-sensitive", "[S]\nport=1\n", "s", nil, "no such section"},
		{"section name is whole, not a prefix", "[sx]\nport=1\n[xs]\nport=2\n", "s", nil, "no such section"},
		{"header without ] names no section", "[s\nport=1\n", "s", nil, "no such section"},
		{"missing section", "[a]\nport=1\n", "s", nil, "no such section"},
		{"empty file", "", "s", nil, "no such section"},
		{"empty section", "[s]\n# nothing\n[a]\nport=1\n", "s", nil, "sets no options"},
		{"text before any section", "port=1\n[s]\nport=2\n", "s", nil, "line 1: text before the first [section]"},
		{"line without =", "[s]\nport=1\nsecret-password\n", "s", nil, "line 3: no '='"},
		{"line with only =value", "[s]\n = x\n", "s", nil, "line 2: no option name"},
		{"text after the header", "[s] port=1\n", "s", nil, "line 1: text after the section header"},
		{"another section's mistakes are ignored", "[a]\nnonsense\n[s]\nport=1\n", "s", []string{"--port=1"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Section([]byte(c.ini), c.section)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q (got %q)", err, c.err, got)
				}
				if strings.Contains(err.Error(), "secret-password") {
					t.Errorf("error echoes the line: %v", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// files is a Source over an in-memory file system.
func files(env map[string]string, fs map[string]string) (Source, *[]string) {
	var reads []string
	return Source{
		Getenv: func(k string) string { return env[k] },
		Exists: func(n string) bool { _, ok := fs[n]; return ok },
		Read: func(n string) ([]byte, error) {
			reads = append(reads, n)
			s, ok := fs[n]
			if !ok {
				return nil, errors.New("no such file or directory")
			}
			return []byte(s), nil
		},
	}, &reads
}

func TestExpand(t *testing.T) {
	fleet := "[check_itgrix_app]\nport=9\n[pbx1]\nurl=http://pbx1:8077/status\nusername=admin\npassword=s3cret\n[pbx2]\nurl=http://pbx2:8077/status\n"
	fs := map[string]string{
		"/etc/icinga2/itgrix.ini":         fleet,
		"/etc/monitoring-plugins.ini":     "[check_itgrix_app]\nport=1\n",
		"/etc/nagios/plugins.ini":         "[check_itgrix_app]\nport=2\n",
		"/srv/cfg/plugins.ini":            "[check_itgrix_app]\nport=3\n",
		"/srv/cfg/monitoring-plugins.ini": "[check_itgrix_app]\nport=4\n",
		"/srv/env.ini":                    "[check_itgrix_app]\nport=5\n",
		"-":                               "[check_itgrix_app]\nport=6\n[x]\nverbose=\n",
	}
	cases := []struct {
		name string
		env  map[string]string
		fs   map[string]string
		args []string
		want []string
		err  string
	}{
		{"no --extra-opts reads nothing", nil, fs, []string{"-v"}, []string{"-v"}, ""},
		{"section and file; ini before command line", nil, fs, []string{"-t", "5", "--extra-opts=pbx1@/etc/icinga2/itgrix.ini", "-v"},
			[]string{"--url=http://pbx1:8077/status", "--username=admin", "--password=s3cret", "-t", "5", "-v"}, ""},
		{"separate value, as Icinga passes it", nil, fs, []string{"--extra-opts", "pbx2@/etc/icinga2/itgrix.ini"}, []string{"--url=http://pbx2:8077/status"}, ""},
		{"section defaults to the plugin's name", nil, fs, []string{"--extra-opts=@/etc/icinga2/itgrix.ini"}, []string{"--port=9"}, ""},
		{"several apply in order", nil, fs, []string{"--extra-opts=pbx2@/etc/icinga2/itgrix.ini", "--extra-opts=@/etc/icinga2/itgrix.ini"},
			[]string{"--url=http://pbx2:8077/status", "--port=9"}, ""},
		{"@- reads stdin, once", nil, fs, []string{"--extra-opts=@-", "--extra-opts=x@-"}, []string{"--port=6", "--verbose"}, ""},
		{"$MP_CONFIG_FILE first", map[string]string{"MP_CONFIG_FILE": "/srv/env.ini", "NAGIOS_CONFIG_PATH": "/srv/cfg"}, fs, []string{"--extra-opts"}, []string{"--port=5"}, ""},
		{"$MP_CONFIG_FILE with a section", map[string]string{"MP_CONFIG_FILE": "/etc/icinga2/itgrix.ini"}, fs, []string{"--extra-opts=pbx2"}, []string{"--url=http://pbx2:8077/status"}, ""},
		{"then $NAGIOS_CONFIG_PATH, monitoring-plugins.ini first", map[string]string{"NAGIOS_CONFIG_PATH": "::/nowhere:/srv/cfg/"}, fs, []string{"--extra-opts"}, []string{"--port=4"}, ""},
		{"then the standard paths in order", nil, fs, []string{"--extra-opts"}, []string{"--port=1"}, ""},
		{"deprecated paths still count", nil, map[string]string{"/etc/nagios/plugins.ini": fs["/etc/nagios/plugins.ini"]}, []string{"--extra-opts"}, []string{"--port=2"}, ""},
		{"no default file", nil, map[string]string{}, []string{"--extra-opts"}, nil, "--extra-opts section [check_itgrix_app]: no ini file"},
		{"missing file", nil, fs, []string{"--extra-opts=pbx1@/etc/nope.ini"}, nil, "--extra-opts /etc/nope.ini section [pbx1]: no such file"},
		{"missing section", nil, fs, []string{"--extra-opts=pbx9@/etc/icinga2/itgrix.ini"}, nil, "--extra-opts /etc/icinga2/itgrix.ini section [pbx9]: no such section"},
		{"empty file name", nil, fs, []string{"--extra-opts=pbx1@"}, nil, "empty file name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, reads := files(c.env, c.fs)
			got, err := Expand(c.args, "check_itgrix_app", src)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, %v; want %q", got, err, c.want)
			}
			if len(c.args) == 1 && c.args[0] == "-v" && len(*reads) > 0 {
				t.Errorf("read %q without --extra-opts", *reads)
			}
			seen := map[string]bool{}
			for _, r := range *reads {
				if seen[r] {
					t.Errorf("read %s twice", r)
				}
				seen[r] = true
			}
		})
	}
}

// TestDefaultPathsMatchMonitoringPlugins pins the list against the order
// monitoring-plugins documents, so an edit cannot silently reorder it.
func TestDefaultPathsMatchMonitoringPlugins(t *testing.T) {
	if len(DefaultPaths) != 11 || DefaultPaths[0] != "/usr/local/etc/monitoring-plugins/monitoring-plugins.ini" ||
		DefaultPaths[3] != "/etc/monitoring-plugins.ini" || DefaultPaths[4] != "/etc/nagios/plugins.ini" {
		t.Errorf("DefaultPaths = %q", DefaultPaths)
	}
}
