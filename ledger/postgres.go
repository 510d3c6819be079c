package ledger

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	loc "bulkpay/ledger/location"
)

// The PostgreSQL ledger: the same Store, over pgx's database/sql driver
// wrapped so that the ledger's SQLite statements are translated on their way
// (dialect.go). Every write transaction first takes a transaction-level
// advisory lock of the ledger (its schema), so that writers follow each other
// as SQLite's immediate transactions do: a read-then-write (a batch's lock, a
// claim) sees what the writer before it committed, whichever process it was.

// maxConns bounds the connections one process opens to the server (which
// allows 100 by default, shared by every bulkpay process and test on it):
// the committer's one, and readers. A transaction waiting for the write lock
// holds one; the holder never needs a second, so a full pool cannot deadlock.
const maxConns = 8

// openPostgres opens the ledger at the PostgreSQL server dsn names and
// migrates it.
func openPostgres(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	shown := Redact(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %s", shown, redactText(err.Error(), dsn))
	}
	// a writer waits for another's lock as long as SQLite's busy timeout,
	// then fails with ErrBusy (the DSN may say otherwise: lock_timeout=...)
	if _, ok := cfg.RuntimeParams["lock_timeout"]; !ok {
		cfg.RuntimeParams["lock_timeout"] = "10s"
	}
	// the session's search_path names the ledger's schema; the advisory
	// lock is the schema's, so ledgers in other schemas do not wait on it
	c := &pgConnector{inner: stdlib.GetConnector(*cfg)}
	db := sql.OpenDB(c)
	// a connection is a server process with its prepared statements: the
	// ones in use are kept (a run's workers, the committer, the readers)
	// rather than made again for each burst, and let go after a quiet minute
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(time.Minute)
	s := &Store{db: db, path: shown, secret: password(dsn), pg: true, alive: processAlive, now: time.Now,
		every: CheckpointEvery, everyN: CheckpointWrites}
	for _, o := range opts {
		o(s)
	}
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		db.Close()
		return nil, s.fail("open ledger "+shown, err)
	}
	if !schema.Valid {
		db.Close()
		return nil, fmt.Errorf("open ledger %s: its search_path names no schema that exists: create it first (CREATE SCHEMA name), or name one that does", shown)
	}
	if err := db.QueryRowContext(ctx, `SELECT hashtextextended('bulkpay ledger ' || ?, 0)`, schema.String).Scan(&c.lockKey); err != nil {
		db.Close()
		return nil, s.fail("open ledger "+shown, err)
	}
	s.lastCP = s.now()
	s.pacer = newPgPacer(cfg)
	if err := s.migrate(ctx); err != nil {
		db.Close()
		s.pacer.close()
		return nil, s.fail("migrate ledger "+shown, err)
	}
	s.startCommitter()
	return s, nil
}

// migratePostgres is migrate on PostgreSQL: the version is kept in the
// table bulkpay_schema, and the migrations' PostgreSQL text is applied.
func (s *Store) migratePostgres(ctx context.Context, hist []migration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bulkpay_schema (version BIGINT NOT NULL)`); err != nil {
			return err
		}
		var version int
		err := tx.QueryRowContext(ctx, `SELECT version FROM bulkpay_schema`).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.ExecContext(ctx, `INSERT INTO bulkpay_schema (version) VALUES (0)`)
		}
		if err != nil {
			return err
		}
		if version > latest(hist) {
			return fmt.Errorf("ledger schema version %d is newer than this bulkpay knows (%d): upgrade bulkpay", version, latest(hist))
		}
		for _, m := range after(hist, version) {
			body, err := m.postgresBody()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, body); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE bulkpay_schema SET version = ?`, m.n); err != nil {
				return err
			}
		}
		return nil
	})
}

// Redact is a ledger location fit to show: a PostgreSQL DSN without its
// password (in the URL or as a password= parameter); a file as it is.
func Redact(location string) string { return loc.Redact(location) }

// password is the password a DSN holds, "" when none.
func password(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	if p, ok := u.User.Password(); ok && p != "" {
		return p
	}
	for k, v := range u.Query() {
		if strings.EqualFold(k, "password") && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// redactText removes the password of dsn from a text that may quote it.
func redactText(text, dsn string) string {
	p := password(dsn)
	if p == "" {
		return text
	}
	text = strings.ReplaceAll(text, p, "xxxxx")
	return strings.ReplaceAll(text, url.QueryEscape(p), "xxxxx")
}

// pgConnector makes connections whose statements are translated.
type pgConnector struct {
	inner   driver.Connector
	lockKey int64 // the ledger's advisory lock: every write transaction takes it
}

func (c *pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn), c: c}, nil
}

func (c *pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is a pgx connection that speaks the ledger's SQLite statements.
type pgConn struct {
	*stdlib.Conn
	c *pgConnector
}

var (
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.ConnPrepareContext = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
)

// BeginTx begins a transaction and takes the ledger's write lock in it.
func (p *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := p.Conn.BeginTx(ctx, opts)
	if err != nil || opts.ReadOnly || p.c.lockKey == 0 {
		return tx, err
	}
	if _, err := p.Conn.ExecContext(ctx, fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d)`, p.c.lockKey), nil); err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return tx, nil
}

func (p *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	t := translateQuery(query)
	args = pgArgs(args)
	if !t.returning {
		return p.Conn.ExecContext(ctx, t.sql, args)
	}
	rows, err := p.Conn.QueryContext(ctx, t.sql, args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var res pgResult
	dest := make([]driver.Value, 1)
	for {
		err := rows.Next(dest)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		res.affected++
		if id, ok := dest[0].(int64); ok {
			res.id = id
		}
	}
	return res, nil
}

func (p *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return p.Conn.QueryContext(ctx, translateQuery(query).sql, pgArgs(args))
}

// PrepareContext gives a statement run through ExecContext and QueryContext
// (pgx keeps each statement prepared in its own cache).
func (p *pgConn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	return &pgStmt{conn: p, query: query}, nil
}

func (p *pgConn) Prepare(query string) (driver.Stmt, error) {
	return p.PrepareContext(context.Background(), query)
}

type pgStmt struct {
	conn  *pgConn
	query string
}

func (s *pgStmt) Close() error  { return nil }
func (s *pgStmt) NumInput() int { return -1 }
func (s *pgStmt) Exec([]driver.Value) (driver.Result, error) {
	return nil, errors.New("ledger: Exec without a context")
}
func (s *pgStmt) Query([]driver.Value) (driver.Rows, error) {
	return nil, errors.New("ledger: Query without a context")
}
func (s *pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.conn.ExecContext(ctx, s.query, args)
}
func (s *pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.conn.QueryContext(ctx, s.query, args)
}

// pgArgs gives bools as the integers SQLite keeps them as.
func pgArgs(args []driver.NamedValue) []driver.NamedValue {
	for i := range args {
		if b, ok := args[i].Value.(bool); ok {
			args[i].Value = int64(0)
			if b {
				args[i].Value = int64(1)
			}
		}
	}
	return args
}

// pgResult is an INSERT's result with the id it returned.
type pgResult struct{ id, affected int64 }

func (r pgResult) LastInsertId() (int64, error) { return r.id, nil }
func (r pgResult) RowsAffected() (int64, error) { return r.affected, nil }
