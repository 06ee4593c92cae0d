//go:build !linux

package cli

// checkAddressSpace is the Linux address-space check; elsewhere there is
// nothing to check.
func checkAddressSpace() error { return nil }
