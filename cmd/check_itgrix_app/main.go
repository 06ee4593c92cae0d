// Command check_itgrix_app is a Nagios/Icinga/Naemon plugin that checks
// whether the Itgrix connector is running and healthy.
package main

import (
	"os"
	"time"

	// One processor, set before the libraries initialise (see Honour).
	"check-itgrix/internal/procs"
)

func main() {
	procs.Honour(os.Getenv)
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, time.Now))
}
