package integration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// NaemonTarballEnv names the variable giving Naemon's source tarball where
// the checkout has no ../shared/vendor copy.
const NaemonTarballEnv = "NAEMON_TARBALL"

const naemonTarball = "naemon-core-1.5.2.tar.gz"

// newNaemon is Naemon 1.5.2, built once from its source tarball, running
// contrib/nagios unmodified with Naemon's own sample objects.
func newNaemon() Component {
	return &nagiosCore{
		name:      "naemon",
		daemon:    naemonBuild,
		dropRoot:  true,
		preflight: func(root string) error { _, err := naemonSource(root); return err },
		templates: map[Check]string{App: "itgrix-app", License: "itgrix-license"},
	}
}

// naemonBuild returns the cached Naemon build for the tarball's hash,
// building it first if there is none.
func naemonBuild(ctx context.Context, env *Env) (string, []string, error) {
	return naemonBuildIn(ctx, env.Root, env.Work, env.Logf)
}

// naemonBuildIn builds from root's tarball in a temporary directory of work.
func naemonBuildIn(ctx context.Context, root, work string, logf func(string, ...any)) (string, []string, error) {
	tarball, err := naemonSource(root)
	if err != nil {
		return "", nil, err
	}
	sum, err := fileHash(tarball)
	if err != nil {
		return "", nil, err
	}
	prefix := filepath.Join(cacheDir(), "naemon-1.5.2-"+sum[:16])
	bin := filepath.Join(prefix, "bin", "naemon")
	conf := filepath.Join(prefix, "etc", "naemon", "conf.d")
	stock := []string{conf + "/commands.cfg", conf + "/contacts.cfg", conf + "/timeperiods.cfg",
		conf + "/templates/contacts.cfg", conf + "/templates/hosts.cfg", conf + "/templates/services.cfg"}
	if err := mkdirAll(cacheDir()); err != nil {
		return "", nil, err
	}
	// Concurrent runs (the self-test's) build once: the others wait here.
	lock, err := os.OpenFile(filepath.Join(cacheDir(), "naemon.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", nil, err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(filepath.Join(prefix, ".complete")); err == nil {
		return bin, stock, nil
	}
	logf("naemon: building %s into %s (once)", tarball, prefix)
	src, err := os.MkdirTemp(work, "naemon-src-")
	if err != nil {
		return "", nil, err
	}
	defer os.RemoveAll(src)
	os.RemoveAll(prefix)
	steps := [][]string{
		{"tar", "xzf", tarball, "-C", src, "--strip-components=1"},
		{"./autogen.sh"},
		{"./configure", "--prefix=" + prefix},
		{"make", "-j2"},
		{"make", "install"},
	}
	for _, s := range steps {
		if _, err := RunCmd(ctx, src, nil, s...); err != nil {
			return "", nil, fmt.Errorf("building naemon: %w", err)
		}
	}
	// The engine user runs it from here.
	if err := os.Chmod(prefix, 0o755); err != nil {
		return "", nil, err
	}
	if err := writeFile(filepath.Join(prefix, ".complete"), sum+"\n", 0o644); err != nil {
		return "", nil, err
	}
	return bin, stock, nil
}

// naemonSource finds the tarball: $NAEMON_TARBALL, else the shared vendor
// directory next to the checkout; never a silent skip.
func naemonSource(root string) (string, error) {
	if p := os.Getenv(NaemonTarballEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s: %w", NaemonTarballEnv, err)
		}
		return p, nil
	}
	p := filepath.Join(root, "..", "shared", "vendor", naemonTarball)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("the naemon engine needs Naemon's source: set %s=/path/to/%s "+
		"(a git archive of tag v1.5.2 of https://github.com/naemon/naemon-core, or its release tarball)",
		NaemonTarballEnv, naemonTarball)
}

// cacheDir is where builds outlive the run and the checkout:
// $XDG_CACHE_HOME/check-itgrix, else /var/cache/check-itgrix for root (the
// engine user must enter it, which root's home forbids), else
// ~/.cache/check-itgrix.
func cacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "check-itgrix")
	}
	if os.Geteuid() == 0 {
		return "/var/cache/check-itgrix"
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".cache", "check-itgrix")
	}
	return filepath.Join(os.TempDir(), "check-itgrix-cache")
}

func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
