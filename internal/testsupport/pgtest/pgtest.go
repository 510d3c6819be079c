// Package pgtest gives tests a fresh PostgreSQL schema for a ledger on the
// server BULKPAY_TEST_POSTGRES names, and the ledger locations a test that
// holds for every backend runs on. Only tests import it.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/stretchr/testify/require"
)

// PostgresEnv names the variable that holds the DSN of a PostgreSQL server
// for tests (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable).
const PostgresEnv = "BULKPAY_TEST_POSTGRES"

// RequirePostgres skips the test, with a message saying how to run it, when
// BULKPAY_TEST_POSTGRES names no server.
func RequirePostgres(t testing.TB) {
	t.Helper()
	if os.Getenv(PostgresEnv) == "" {
		t.Skipf("no PostgreSQL server for this test: set %s to a DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresEnv)
	}
}

// PostgresDSN gives the DSN of a fresh, empty schema on the server
// BULKPAY_TEST_POSTGRES names (its search_path set to it), dropped with
// everything in it when the test ends; ledger.Open(ctx, dsn) opens a ledger
// there. Without the variable the test is skipped.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	RequirePostgres(t)
	base := os.Getenv(PostgresEnv)
	u, err := url.Parse(base)
	require.NoError(t, err, "%s is not a postgres:// URL", PostgresEnv)
	var rnd [6]byte
	_, err = rand.Read(rnd[:])
	require.NoError(t, err)
	schema := "t_" + hex.EncodeToString(rnd[:])
	db, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`CREATE SCHEMA ` + schema)
	require.NoError(t, err, "create schema %s on %s", schema, PostgresEnv)
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Backends gives the ledger locations a test that holds for every backend
// runs on, by name: a SQLite file in a fresh folder always, and a fresh
// PostgreSQL schema when BULKPAY_TEST_POSTGRES is set. Each location is
// made when its subtest asks for it: call the function inside t.Run.
func Backends() map[string]func(t testing.TB) string {
	out := map[string]func(t testing.TB) string{
		"sqlite": func(t testing.TB) string { return filepath.Join(t.TempDir(), "ledger.db") },
	}
	if os.Getenv(PostgresEnv) != "" {
		out["postgres"] = PostgresDSN
	}
	return out
}
