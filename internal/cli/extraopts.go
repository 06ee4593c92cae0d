package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"check-itgrix/internal/check"
	"check-itgrix/internal/extraopts"
)

// maxIni bounds an --extra-opts file. A section per PBX is a few hundred
// bytes, so thousands of PBXs fit; /dev/zero or a runaway file does not.
const maxIni = 1 << 20

// defaultTimeout is -t's default.
const defaultTimeout = 10 * time.Second

// expandExtraOpts reads the options of every --extra-opts section on the
// command line, in order. All the files together get the -t budget given
// on the command line (or the default): a FIFO without a writer or a
// stalled stdin must not hold the check past it. On an error it also
// returns the options read before it.
func expandExtraOpts(name string, env Env, cmd []option) ([]extraopts.Option, error) {
	locators := locators(cmd)
	if len(locators) == 0 {
		return nil, nil
	}
	budget := budget(cmd)
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	return extraopts.ExpandLocators(locators, name, extraopts.Source{
		Getenv: env.Getenv,
		Exists: func(n string) bool { _, err := os.Stat(n); return err == nil },
		Read: func(n string) ([]byte, error) {
			data, err := readBounded(ctx, extraopts.Flag, n, env.Stdin, maxIni, check.Duration(budget))
			var in *inputError
			if errors.As(err, &in) {
				// extraopts names the flag, the file and the section.
				return nil, errors.New(in.reason)
			}
			if err != nil {
				return nil, err
			}
			if len(data) > maxIni {
				return nil, fmt.Errorf("larger than %d MiB", maxIni>>20)
			}
			return data, nil
		},
	})
}
