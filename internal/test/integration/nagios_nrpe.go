package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// newNagiosNRPE is Nagios Core 4 running contrib's NRPE service templates:
// $USER1$/check_nrpe asks each PBX's NRPE daemon (component nrpe-pbx) for
// the command contrib/nrpe defines.
func newNagiosNRPE() Component {
	return &nagiosCore{
		name:      "nagios-nrpe",
		daemon:    debianNagios,
		templates: map[Check]string{App: "itgrix-app-nrpe", License: "itgrix-license-nrpe"},
		prepare: func(_ *Env, pluginDir string) error {
			// $USER1$ is the plugin directory, as on a real poller.
			return os.Symlink(checkNRPE, filepath.Join(pluginDir, "check_nrpe"))
		},
		plugin: func(env *Env, p PBX, argv []string) ([]string, error) {
			i := slices.Index(argv, "-c")
			if filepath.Base(argv[0]) != "check_nrpe" || i < 0 || i+1 >= len(argv) {
				return nil, fmt.Errorf("not a check_nrpe command: %q", argv)
			}
			daemons, ok := Lookup[*nrpePBX](env, "nrpe-pbx")
			if !ok {
				return nil, fmt.Errorf("nrpe-pbx is not running")
			}
			return daemons.Argv(p, argv[i+1])
		},
	}
}
