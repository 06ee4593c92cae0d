//go:build !linux

package cli

// checkLimits is the Linux resource-limit check; elsewhere there is
// nothing to check.
func checkLimits() error { return nil }
