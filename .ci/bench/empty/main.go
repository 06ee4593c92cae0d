// Command empty is the benchmark's floor for any Go process: the runtime
// starts, main returns.
package main

func main() {}
