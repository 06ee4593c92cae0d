// Command floor is the benchmark's floor for a Go plugin: the same Digest
// GET with net/http, icholy/digest and encoding/json, and nothing else.
// usage: floor URL USER PASSWORD; without them it prints its usage and
// exits 3 from main, which measures the start of a program that links the
// GET (the start-up table's "floor, started" row).
package main

import (
	"encoding/json"
	"net/http"
	"os"

	"github.com/icholy/digest"
)

func main() {
	if len(os.Args) != 4 {
		os.Stdout.WriteString("usage: floor URL USER PASSWORD\n")
		os.Exit(3)
	}
	c := &http.Client{Transport: &digest.Transport{Username: os.Args[2], Password: os.Args[3]}}
	res, err := c.Get(os.Args[1])
	if err != nil {
		os.Exit(3)
	}
	defer res.Body.Close()
	var doc map[string]any
	if json.NewDecoder(res.Body).Decode(&doc) != nil {
		os.Exit(3)
	}
	if doc["app_status"] != "Ok" {
		os.Exit(2)
	}
}
