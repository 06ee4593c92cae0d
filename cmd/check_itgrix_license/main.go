// Command check_itgrix_license is a Nagios/Icinga/Naemon plugin that checks
// the Itgrix licence type and how many days are left until it expires.
package main

import (
	"os"
	"time"

	// One processor, set before the libraries initialise (see Honour).
	"check-itgrix/internal/procs"

	// --timezone must work on hosts without a zoneinfo database.
	_ "time/tzdata"
)

func main() {
	procs.Honour(os.Getenv)
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, time.Now))
}
