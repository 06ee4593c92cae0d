package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"check-itgrix/internal/extraopts"
)

// maxIni bounds an --extra-opts file. A section per PBX is a few hundred
// bytes, so thousands of PBXs fit; /dev/zero or a runaway file does not.
const maxIni = 1 << 20

// expandExtraOpts puts the options of every --extra-opts section in front
// of the command line. All the files together get the -t budget given on
// the command line (or the default): a FIFO without a writer or a stalled
// stdin must not hold the check past it.
func expandExtraOpts(name string, env Env) ([]string, error) {
	locators, _ := extraopts.Locators(env.Args)
	if len(locators) == 0 {
		return env.Args, nil
	}
	budget := argTimeout(env.Args)
	deadline := time.Now().Add(budget)
	return extraopts.Expand(env.Args, name, extraopts.Source{
		Getenv: env.Getenv,
		Exists: func(n string) bool { _, err := os.Stat(n); return err == nil },
		Read: func(n string) ([]byte, error) {
			return readIniBounded(n, env.Stdin, maxIni, time.Until(deadline), budget)
		},
	})
}

// argTimeout is the last -t/--timeout on the command line, or the default.
func argTimeout(args []string) time.Duration {
	d := 10 * time.Second
	for i, a := range args {
		var v string
		switch {
		case (a == "-t" || a == "--timeout") && i+1 < len(args):
			v = args[i+1]
		case strings.HasPrefix(a, "--timeout="):
			v = strings.TrimPrefix(a, "--timeout=")
		case strings.HasPrefix(a, "-t") && len(a) > 2 && !strings.HasPrefix(a, "--"):
			v = a[2:]
		default:
			continue
		}
		if t, err := ParseTimeout(v); err == nil {
			d = t
		}
	}
	return d
}

// readIniBounded reads at most limit bytes of name ("-" is stdin) within
// wait. On timeout the reading goroutine is left blocked (in open(2) on a
// FIFO, say): the process exits right after printing the result.
func readIniBounded(name string, stdin io.Reader, limit int64, wait, budget time.Duration) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		r := stdin
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				done <- result{nil, unwrapPath(err)}
				return
			}
			defer f.Close()
			r = f
		}
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		done <- result{data, unwrapPath(err)}
	}()
	timer := time.NewTimer(max(wait, 0))
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		if int64(len(r.data)) > limit {
			return nil, fmt.Errorf("larger than %d MiB", limit>>20)
		}
		return r.data, nil
	case <-timer.C:
		return nil, fmt.Errorf("not read within the %s timeout", budget)
	}
}
