//go:build !linux

package cli

// checkMemoryLimits is the Linux memory-limit check; elsewhere there is
// nothing to check.
func checkMemoryLimits() error { return nil }
