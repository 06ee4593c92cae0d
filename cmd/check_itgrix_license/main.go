// Command check_itgrix_license is a Nagios/Icinga/Naemon plugin that checks
// the Itgrix licence type and how many days are left until it expires.
package main

import (
	"os"
	"time"

	"check-itgrix/internal/cli"

	// --timezone must work on hosts without a zoneinfo database.
	_ "time/tzdata"
)

func main() {
	cli.OneProcessor(os.Getenv)
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, time.Now))
}
