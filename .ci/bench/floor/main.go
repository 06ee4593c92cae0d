// Command floor is the benchmark's floor for a Go plugin: the same Digest
// GET with net/http, icholy/digest and encoding/json, and nothing else.
// usage: floor URL USER PASSWORD
package main

import (
	"encoding/json"
	"net/http"
	"os"

	"github.com/icholy/digest"
)

func main() {
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
