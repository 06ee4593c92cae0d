//go:build !linux

package cli

import "io"

// termWidth leaves the help at 80 columns where the terminal's width is
// not asked for.
func termWidth(io.Writer) (int, bool) { return 0, false }
