package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// mariaDB is a private MariaDB server: its own data directory, socket and
// port on 127.0.0.1, initialised by mariadb-install-db from an option file
// in its directory. Components that need a database ask for their own with
// Database.
type mariaDB struct {
	dir, cnf string
	d        *Daemon
	port     int
}

func newMariaDB() Component { return &mariaDB{} }

// Database is how a component reaches its database: over TCP on loopback,
// as a user that may use only that database.
type Database struct {
	Host     string
	Port     int
	Name     string
	User     string
	Password string
}

func (m *mariaDB) Start(ctx context.Context, env *Env) error {
	var err error
	if m.dir, err = env.Dir("mariadb"); err != nil {
		return err
	}
	m.cnf = filepath.Join(m.dir, "my.cnf")
	// mariadbd refuses to run as root: as root it runs as mysql.
	var asUser []string
	if os.Geteuid() == 0 {
		asUser = []string{"--user=mysql"}
	}
	for try := 1; ; try++ {
		if m.port, err = FreePort(); err != nil {
			return err
		}
		if err := m.writeConfig(); err != nil {
			return err
		}
		if try == 1 {
			if err := m.install(ctx, asUser); err != nil {
				return err
			}
		}
		if m.d, err = StartDaemon("mariadbd", filepath.Join(m.dir, "daemon.log"), nil,
			append([]string{"mariadbd", "--defaults-file=" + m.cnf}, asUser...)...); err != nil {
			return err
		}
		err = Await(ctx, m.d, "MariaDB", func() error { _, err := m.SQL(ctx, "", "SELECT 1"); return err })
		if err == nil {
			return nil
		}
		// The port FreePort found may be taken before mariadbd binds it.
		logs := Tail(filepath.Join(m.dir, "error.log"), 20)
		if try == 3 || m.d.Exited() == nil || !strings.Contains(logs, "Address already in use") {
			return fmt.Errorf("%w\n%s", err, logs)
		}
	}
}

// writeConfig writes the option file server and client read.
func (m *mariaDB) writeConfig() error {
	if err := mkdirAll(filepath.Join(m.dir, "tmp")); err != nil {
		return err
	}
	// Small buffers and no binary log or performance schema: a test
	// database of a few tables starts in a fraction of a second.
	return writeFile(m.cnf, fmt.Sprintf(`[mariadbd]
datadir = %[1]s/data
socket = %[1]s/mysqld.sock
pid-file = %[1]s/mysqld.pid
log-error = %[1]s/error.log
# Its own: initialisations running side by side (the self-test's runs)
# collide in a shared /tmp.
tmpdir = %[1]s/tmp
bind-address = 127.0.0.1
port = %[2]d
skip-name-resolve
skip-log-bin
performance_schema = OFF
innodb_buffer_pool_size = 16M
innodb_log_file_size = 8M
[client]
socket = %[1]s/mysqld.sock
`, m.dir, m.port), 0o644)
}

// install creates the data directory, with a root that logs in over the
// socket without a password: the directory (0700) keeps everyone but the
// server and the run out.
func (m *mariaDB) install(ctx context.Context, asUser []string) error {
	if os.Geteuid() == 0 {
		if err := chownTree(m.dir, "mysql", "mysql"); err != nil {
			return err
		}
	}
	install := append([]string{"mariadb-install-db", "--defaults-file=" + m.cnf, "--skip-test-db",
		"--auth-root-authentication-method=normal"}, asUser...)
	if _, err := RunCmd(ctx, m.dir, nil, install...); err != nil {
		return err
	}
	return os.Chmod(m.dir, 0o700)
}

func (m *mariaDB) Stop() { m.d.Stop() }

var dbName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Database creates a database and a user of the same name, with a password
// of its own, allowed that database only and from loopback only.
func (m *mariaDB) Database(ctx context.Context, name string) (Database, error) {
	if !dbName.MatchString(name) {
		return Database{}, fmt.Errorf("database name %q: lower-case letters, digits and _ only", name)
	}
	db := Database{Host: "127.0.0.1", Port: m.port, Name: name, User: name, Password: "db-" + randomHex(12)}
	stmt := fmt.Sprintf("CREATE DATABASE %[1]s CHARACTER SET utf8mb4; "+
		"CREATE USER '%[1]s'@'127.0.0.1' IDENTIFIED BY '%[2]s'; "+
		"GRANT ALL ON %[1]s.* TO '%[1]s'@'127.0.0.1';", name, db.Password)
	if _, err := m.SQL(ctx, "", stmt); err != nil {
		return Database{}, err
	}
	return db, nil
}

// SQL runs statements as MariaDB's root, in database db ("" for none), and
// returns the rows tab-separated, without a header.
func (m *mariaDB) SQL(ctx context.Context, db, stmt string) (string, error) {
	argv := []string{"mariadb", "--defaults-file=" + m.cnf, "-uroot", "--batch", "--skip-column-names", "-e", stmt}
	if db != "" {
		argv = append(argv, db)
	}
	out, err := RunCmd(ctx, m.dir, nil, argv...)
	return strings.TrimRight(out, "\n"), err
}

// Script runs statements from stdin (a schema is too long for -e) as
// MariaDB's root in database db and returns the rows unescaped (--raw).
func (m *mariaDB) Script(ctx context.Context, db, statements string) (string, error) {
	cmd := exec.CommandContext(ctx, "mariadb", "--defaults-file="+m.cnf, "-uroot", "--batch", "--raw", "--skip-column-names", db)
	cmd.Env = DaemonEnv()
	cmd.Stdin = strings.NewReader(statements)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("mariadb: %w: %s", err, lastLines(string(out), 10))
	}
	return string(out), nil
}

// LoadFile runs a schema file in database db.
func (m *mariaDB) LoadFile(ctx context.Context, db, file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if _, err := m.Script(ctx, db, string(b)); err != nil {
		return fmt.Errorf("loading %s: %w", file, err)
	}
	return nil
}
