package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"check-itgrix/internal/check"
)

// Size caps for the files a check reads. Each is far above what a real
// file of its kind holds and far below what would cost the monitoring host
// memory: a file that reaches its cap (/dev/zero, a wrong path) is refused.
const (
	// maxPasswordFile bounds --password-file: only its first line is used.
	maxPasswordFile = 4 << 10
	// maxCAFile bounds --ca-file: Debian's whole ca-certificates bundle
	// is about 220 KiB.
	maxCAFile = 1 << 20
)

// inputError is a file the check could not use: unreadable, too large,
// not the right kind, or not read within -t. It is reported as UNKNOWN on
// the normal path (with the time metric and the -v line), not as a usage
// error: the command line was right, the file was not.
type inputError struct {
	msg check.Message
	// reason is what went wrong, without the flag and file, when a
	// caller names them itself (--extra-opts' errors do).
	reason string
}

func (e *inputError) Error() string          { return e.msg.String() }
func (e *inputError) Message() check.Message { return e.msg }

// inputErrorf words an inputError as check.Say does: the file name, a
// string argument, is outside text.
func inputErrorf(format string, args ...any) error {
	return &inputError{msg: check.Say(format, args...)}
}

// countingReader counts what has been read so far, so a read cut short by
// the deadline can say whether anything arrived at all.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// readBounded reads up to limit+1 bytes of the file named by flag ("-" is
// stdin, empty when stdin is nil) and gives up when ctx ends. Opening a FIFO without a writer, or
// reading a stdin that trickles or never closes, blocks in the kernel where
// no deadline reaches; the read therefore runs on its own goroutine and is
// abandoned at the deadline (the process ends right after the check). The
// caller tells an over-long result from a complete one by its length.
func readBounded(ctx context.Context, flag, name string, stdin io.Reader, limit int64, timeout string) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	cr := &countingReader{}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("internal error: %v", p)}
			}
		}()
		var r io.Reader = stdin
		if r == nil {
			r = eofReader{}
		}
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				done <- result{err: err}
				return
			}
			defer f.Close()
			r = f
		}
		cr.r = io.LimitReader(r, limit+1)
		data, err := io.ReadAll(cr)
		done <- result{data, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			why, told := reason(res.err)
			return nil, &inputError{msg: check.Say("cannot read %s %s: %s", check.Ours(flag), name, told), reason: why}
		}
		return res.data, nil
	case <-ctx.Done():
		why := "nothing to read within the " + timeout + " timeout (a FIFO or pipe nobody writes to?)"
		if n := cr.n.Load(); n > 0 {
			why = fmt.Sprintf("only %d bytes arrived within the %s timeout", n, timeout)
		}
		return nil, &inputError{msg: check.Say("%s %s: %s", check.Ours(flag), name, check.Ours(why)), reason: why}
	}
}

// reason is why the system could not open or read a file ("no such file
// or directory"), without the path: the message names the file already.
// told is how a message repeats it: the system's reason is its own fixed
// words, never the file's; any other error (a reader's, a recovered
// panic) is outside text.
func reason(err error) (why string, told any) {
	var pe *os.PathError
	if errors.As(err, &pe) {
		why = pe.Err.Error()
		return why, check.Ours(why)
	}
	return err.Error(), err.Error()
}

// readPasswordFile returns the first line of --password-file (without a
// trailing \r). Its text never appears in an error.
func readPasswordFile(ctx context.Context, name string, stdin io.Reader, timeout string) (string, error) {
	data, err := readBounded(ctx, "--password-file", name, stdin, maxPasswordFile, timeout)
	if err != nil {
		return "", err
	}
	line, _, found := bytes.Cut(data, []byte("\n"))
	if !found && len(data) > maxPasswordFile {
		return "", inputErrorf("--password-file %s: no line break in its first %d KiB: not a password file", name, maxPasswordFile>>10)
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	switch {
	case len(line) == 0:
		return "", inputErrorf("--password-file %s is empty", name)
	case bytes.IndexByte(line, 0) >= 0:
		return "", inputErrorf("--password-file %s holds NUL bytes: not a text file", name)
	}
	return string(line), nil
}

// readCAFile returns the PEM bundle of --ca-file.
func readCAFile(ctx context.Context, name string, stdin io.Reader, timeout string) ([]byte, error) {
	data, err := readBounded(ctx, "--ca-file", name, stdin, maxCAFile, timeout)
	if err != nil {
		return nil, err
	}
	if len(data) > maxCAFile {
		return nil, inputErrorf("--ca-file %s is larger than %d MiB: not a PEM bundle", name, maxCAFile>>20)
	}
	return data, nil
}

// readStatusFile returns the document in --status-file ("-" = stdin);
// source is how a message names it.
func readStatusFile(ctx context.Context, name string, source check.Message, stdin io.Reader, limit int64, timeout string) ([]byte, error) {
	data, err := readBounded(ctx, "--status-file", name, stdin, limit, timeout)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &tooLargeError{source: source, limit: limit}
	}
	return data, nil
}

// tooLargeError is a --status-file read whole and larger than any status
// document: an answer that cannot be evaluated, as a server's would be
// (--invalid-state), not a bad input.
type tooLargeError struct {
	source check.Message
	limit  int64
}

func (e *tooLargeError) Error() string { return e.Message().String() }

func (e *tooLargeError) Message() check.Message {
	return check.Say("%s is larger than %d MiB: not a status document", e.source, e.limit>>20)
}

// eofReader stands in for a missing stdin: "-" then reads as empty.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
