package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"check-itgrix/internal/check"
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
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	return extraopts.Expand(env.Args, name, extraopts.Source{
		Getenv: env.Getenv,
		Exists: func(n string) bool { _, err := os.Stat(n); return err == nil },
		Read: func(n string) ([]byte, error) {
			data, err := readBounded(ctx, extraopts.Flag, n, env.Stdin, maxIni, check.Duration(budget))
			if err != nil {
				// extraopts names the flag, the file and the section.
				msg := strings.TrimPrefix(err.Error(), "cannot read "+extraopts.Flag+" "+n+": ")
				return nil, errors.New(strings.TrimPrefix(msg, extraopts.Flag+" "+n+": "))
			}
			if len(data) > maxIni {
				return nil, fmt.Errorf("larger than %d MiB", maxIni>>20)
			}
			return data, nil
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
