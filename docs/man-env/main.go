// Command man-env prints the man pages' ENVIRONMENT entry for
// MP_CONFIG_FILE from extraopts.DefaultPaths, the list the plugins read,
// so the page cannot go stale while its test passes.
package main

import (
	"fmt"
	"strings"

	"check-itgrix/internal/extraopts"
)

// deprecatedFrom is the first path monitoring-plugins deprecates.
const deprecatedFrom = "/etc/nagios/plugins.ini"

func main() {
	esc := func(s string) string { return strings.ReplaceAll(s, "-", `\-`) }
	fmt.Println(`.TP`)
	fmt.Println(`\fBMP_CONFIG_FILE\fR`)
	fmt.Println(`The ini file \-\-extra\-opts reads when it names none. Without it, monitoring\-plugins.ini, plugins.ini or nagios\-plugins.ini in the directories of the deprecated \fBNAGIOS_CONFIG_PATH\fR, then the first that exists of:`)
	fmt.Println(`.RS`)
	fmt.Println(`.nf`)
	for _, p := range extraopts.DefaultPaths {
		if p == deprecatedFrom {
			fmt.Println(esc(p) + " (deprecated, as the next ones)")
			continue
		}
		fmt.Println(esc(p))
	}
	fmt.Println(`.fi`)
	fmt.Println(`.RE`)
}
