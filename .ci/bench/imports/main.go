// Command imports is the benchmark's yardstick for a Go plugin's start: it
// links and initialises net/http and encoding/json, as every HTTP+JSON plugin
// must, and does nothing else. --version is measured against it.
package main

import (
	_ "encoding/json"
	_ "net/http"
)

func main() {}
