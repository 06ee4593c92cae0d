// Command check_itgrix_app is a Nagios/Icinga/Naemon plugin that checks
// whether the Itgrix connector is running and healthy.
package main

import (
	"os"
	"time"

	"check-itgrix/internal/cli"
)

func main() {
	cli.OneProcessor(os.Getenv)
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, time.Now))
}
