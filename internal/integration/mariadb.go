package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// MariaDB is a private MariaDB server: its own datadir, socket and port,
// initialised from nothing on every run. Several components share it, each
// with a database and an account of its own (CreateDatabase).
type MariaDB struct {
	dir    string
	Host   string // TCP address clients use
	Port   int
	socket string
	d      *Daemon
}

// Start initialises a datadir and starts mariadbd on 127.0.0.1.
func (m *MariaDB) Start(ctx context.Context, env *Env) error {
	dir, err := env.Dir("mariadb")
	if err != nil {
		return err
	}
	m.dir, m.Host, m.socket = dir, "127.0.0.1", dir+"/mysqld.sock"
	if m.Port, err = FreePort(); err != nil {
		return err
	}
	// No durability: the data lives for one run. Without fsync the server
	// initialises in well under a second and loads a schema about three
	// times faster.
	cnf := fmt.Sprintf(`[mariadbd]
datadir = %[1]s/data
socket = %[1]s/mysqld.sock
pid-file = %[1]s/mysqld.pid
log-error = %[1]s/error.log
# Its own: initialisations running side by side collide in a shared /tmp.
tmpdir = %[1]s/tmp
bind-address = 127.0.0.1
port = %[2]d
skip-name-resolve
skip-log-bin
innodb-buffer-pool-size = 32M
innodb-log-file-size = 8M
innodb-flush-log-at-trx-commit = 0
innodb-doublewrite = 0
innodb-flush-method = nosync
`, dir, m.Port)
	if os.Geteuid() == 0 {
		// mariadbd refuses root unless told; the files stay root's.
		cnf += "user = root\n"
	}
	if err := writeFile(dir+"/my.cnf", cnf, 0o600); err != nil {
		return err
	}
	if err := mkdirAll(dir + "/tmp"); err != nil {
		return err
	}
	if _, err := RunCmd(ctx, dir, nil, "mariadb-install-db", "--defaults-file="+dir+"/my.cnf",
		"--auth-root-authentication-method=socket", "--skip-test-db"); err != nil {
		return fmt.Errorf("mariadb: %w", err)
	}
	if m.d, err = StartDaemon("mariadbd", dir+"/mariadbd.out", nil, "mariadbd", "--defaults-file="+dir+"/my.cnf"); err != nil {
		return err
	}
	if err := Await(ctx, m.d, "mariadbd", func() error {
		_, err := m.SQL(ctx, "", "SELECT 1")
		return err
	}); err != nil {
		return fmt.Errorf("%w\n%s", err, Tail(dir+"/error.log", 15))
	}
	return nil
}

// Stop stops the server by its PID.
func (m *MariaDB) Stop() { m.d.Stop() }

// SQL runs statements as the server's root over its socket, in database db
// (none if empty), and returns the client's output, unescaped (--raw).
func (m *MariaDB) SQL(ctx context.Context, db, statements string) (string, error) {
	argv := []string{"mariadb", "--no-defaults", "--socket=" + m.socket, "--user=root", "--batch", "--raw", "--skip-column-names"}
	if db != "" {
		argv = append(argv, db)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = DaemonEnv()
	cmd.Stdin = strings.NewReader(statements)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("mariadb: %w: %s", err, lastLines(string(out), 10))
	}
	return string(out), nil
}

// CreateDatabase creates a database and an account owning it, reachable
// over TCP, and loads each schema file into it.
func (m *MariaDB) CreateDatabase(ctx context.Context, name, user, password string, schemas ...string) error {
	q := fmt.Sprintf("CREATE DATABASE `%s`; CREATE USER '%s'@'%%' IDENTIFIED BY '%s'; GRANT ALL ON `%s`.* TO '%s'@'%%';",
		name, user, password, name, user)
	if _, err := m.SQL(ctx, "", q); err != nil {
		return err
	}
	for _, f := range schemas {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if _, err := m.SQL(ctx, name, string(b)); err != nil {
			return fmt.Errorf("loading %s: %w", f, err)
		}
	}
	return nil
}

func newMariaDB() Component { return &MariaDB{} }
