package cli

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// termWidth is the width of the terminal w writes to, if it is one.
func termWidth(w io.Writer) (int, bool) {
	f, ok := w.(*os.File)
	if !ok {
		return 0, false
	}
	var size [4]uint16
	if _, _, e := syscall.Syscall6(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&size)), 0, 0, 0); e != 0 {
		return 0, false
	}
	return int(size[1]), true
}
