package integration

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// redis is a private Redis server on 127.0.0.1 with a password made for
// the run and no persistence, configured from redis.conf in its dir:
// Icinga 2's icingadb feature writes to it, the icingadb daemon and Icinga
// DB Web read it.
type redis struct {
	dir      string
	Port     int
	Password string
	d        *Daemon
}

func newRedis() Component { return &redis{} }

func (r *redis) Start(ctx context.Context, env *Env) error {
	var err error
	if r.dir, err = env.Dir("redis"); err != nil {
		return err
	}
	r.Password = "redis-" + randomHex(12)
	// A port FreePort found free may be taken before Redis binds it.
	for try := 1; ; try++ {
		if r.Port, err = FreePort(); err != nil {
			return err
		}
		conf := fmt.Sprintf(`bind 127.0.0.1
port %d
protected-mode yes
requirepass %q
daemonize no
dir %q
logfile %q
save ""
appendonly no
`, r.Port, r.Password, r.dir, filepath.Join(r.dir, "redis.log"))
		if err := writeFile(filepath.Join(r.dir, "redis.conf"), conf, 0o600); err != nil {
			return err
		}
		if r.d, err = StartDaemon("redis-server", filepath.Join(r.dir, "daemon.log"), nil, "redis-server", filepath.Join(r.dir, "redis.conf")); err != nil {
			return err
		}
		err = Await(ctx, r.d, "Redis", func() error {
			out, err := r.Command(ctx, "PING")
			if err == nil && out != "PONG" {
				err = fmt.Errorf("redis answered %q", out)
			}
			return err
		})
		if err == nil {
			return nil
		}
		logs := Tail(filepath.Join(r.dir, "redis.log"), 10)
		if try == 3 || r.d.Exited() == nil || !strings.Contains(logs, "Address already in use") {
			return fmt.Errorf("%w\n%s", err, logs)
		}
	}
}

func (r *redis) Stop() { r.d.Stop() }

// Command runs one command with redis-cli and returns its raw answer.
func (r *redis) Command(ctx context.Context, args ...string) (string, error) {
	argv := append([]string{"redis-cli", "-h", "127.0.0.1", "-p", strconv.Itoa(r.Port), "--no-auth-warning", "--raw"}, args...)
	// The password from the environment, not the command line.
	out, err := RunCmd(ctx, r.dir, append(DaemonEnv(), "REDISCLI_AUTH="+r.Password), argv...)
	return strings.TrimRight(out, "\n"), err
}
