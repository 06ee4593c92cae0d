package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Daemon is one long-running process started in the foreground under the
// run's control, in its own process group, with its output in a log file.
type Daemon struct {
	Name string
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// StartDaemon starts argv with its stdout and stderr in logFile.
func StartDaemon(name, logFile string, env []string, argv ...string) (*Daemon, error) {
	return StartDaemonAs(nil, name, logFile, env, argv...)
}

// StartDaemonAs starts argv as the credential's user (nil: the run's own),
// for daemons that refuse root instead of dropping it.
func StartDaemonAs(cred *syscall.Credential, name, logFile string, env []string, argv ...string) (*Daemon, error) {
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = env
	if env == nil {
		cmd.Env = DaemonEnv()
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d := &Daemon{Name: name, cmd: cmd, done: make(chan struct{}), log: logFile}
	go func() { _ = cmd.Wait(); close(d.done) }()
	return d, nil
}

// DaemonEnv is the environment every daemon and direct plugin run gets,
// whatever the run's own: the plugins' "today" depends on the zone, and
// some engines pass their environment on to plugins while NRPE empties it.
func DaemonEnv() []string {
	return []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TZ=UTC", "LANG=C.UTF-8"}
}

// Pid is the daemon's process ID, which is also its process group's.
func (d *Daemon) Pid() int { return d.cmd.Process.Pid }

// Exited reports an error if the daemon has already exited, with the tail
// of its log.
func (d *Daemon) Exited() error {
	select {
	case <-d.done:
		return fmt.Errorf("%s exited (%v): %s", d.Name, d.cmd.ProcessState, Tail(d.log, 15))
	default:
		return nil
	}
}

// Stop sends SIGTERM to the daemon's PID, waits up to 10 s, then kills what
// is left of the process group the daemon was started in (workers, a plugin
// still running). Safe on nil and on a daemon that has exited.
func (d *Daemon) Stop() {
	if d == nil {
		return
	}
	pid := d.cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	<-d.done
}

// Await polls ready every 200 ms until it returns nil, the daemon exits
// (when d is not nil) or ctx ends; the error says what it waited for.
func Await(ctx context.Context, d *Daemon, what string, ready func() error) error {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		err := ready()
		if err == nil {
			return nil
		}
		if d != nil {
			if e := d.Exited(); e != nil {
				return fmt.Errorf("waiting for %s: %w", what, e)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last: %v)", what, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// Tail returns the last n lines of a file, for diagnostics.
func Tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// RunCmd runs a short command bounded by ctx and returns its combined
// output; a non-zero exit is an error carrying the output.
func RunCmd(ctx context.Context, dir string, env []string, argv ...string) (string, error) {
	return RunCmdAs(ctx, nil, dir, env, argv...)
}

// RunCmdAs is RunCmd as the credential's user (nil: the run's own).
func RunCmdAs(ctx context.Context, cred *syscall.Credential, dir string, env []string, argv ...string) (string, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, lastLines(string(out), 20))
	}
	return string(out), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// RunPlugin runs a plugin bounded by ctx and returns its exit code and
// stdout.
func RunPlugin(ctx context.Context, env []string, argv []string) (int, string, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), nil
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode(), out.String(), nil
	default:
		return -1, out.String(), err
	}
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

// writeFile writes a file, creating its directory.
func writeFile(path, content string, mode os.FileMode) error {
	if err := mkdirAll(filepath.Dir(path)); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), mode)
}

// copyFile copies src to dst with mode.
func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := mkdirAll(filepath.Dir(dst)); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// copyTree copies the regular files under src to dst, readable by all
// (contrib/ and the plugins hold no secrets).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return mkdirAll(target)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return copyFile(path, target, info.Mode().Perm()|0o444)
	})
}

// chownTree gives a tree to a user and group (the engine user, when the run
// is root's); a no-op for the run's own user.
func chownTree(dir, owner, group string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	uid, gid, err := lookupIDs(owner, group)
	if err != nil {
		return err
	}
	return filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

// EngineCredential is the engine user's credential when the run is root's,
// else nil (run as ourselves).
func EngineCredential(env *Env) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	uid, gid, err := lookupIDs(env.EngineUser, env.EngineGroup)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

func lookupIDs(owner, group string) (int, int, error) {
	u, err := user.Lookup(owner)
	if err != nil {
		return 0, 0, err
	}
	g, err := user.LookupGroup(group)
	if err != nil {
		return 0, 0, err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(g.Gid)
	return uid, gid, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// linkPlugins makes dir a plugin directory holding links to the plugins in
// bin, to which a component can add its own (check_nrpe).
func linkPlugins(bin, dir string) error {
	if err := mkdirAll(dir); err != nil {
		return err
	}
	entries, err := os.ReadDir(bin)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.Symlink(filepath.Join(bin, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
