package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// openDSN opens a second handle on an existing ledger with the DSN's options
// changed (read-only, no busy timeout), without migrating it.
func openDSN(t *testing.T, file string, set map[string]string) *Store {
	t.Helper()
	dsn, err := url.Parse(DSN(file))
	require.NoError(t, err)
	q := dsn.Query()
	for k, v := range set {
		q.Set(k, v)
	}
	db, err := sql.Open("sqlite3", "file:"+file+"?"+q.Encode())
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: file, alive: processAlive, now: time.Now, every: CheckpointEvery, everyN: CheckpointWrites}
	s.lastCP = s.now()
	s.startCommitter()
	t.Cleanup(func() { s.Close() })
	return s
}

// seeded is a new ledger holding one batch of n items.
func seeded(t *testing.T, n int) (*Store, batch.Batch) {
	t.Helper()
	st := openTemp(t)
	b, _ := seed(t, st, n)
	return st, b
}

func TestDriverErrorsAreMappedByCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  sqlite3.Error
		want error
	}{
		{"full", sqlite3.Error{Code: sqlite3.ErrFull, ExtendedCode: sqlite3.ErrNoExtended(sqlite3.ErrFull)}, ErrDiskFull},
		{"write failed on ENOSPC", sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrWrite, SystemErrno: syscall.ENOSPC}, ErrDiskFull},
		{"fsync failed", sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrFsync, SystemErrno: syscall.EIO}, ErrIO},
		{"read-only file", sqlite3.Error{Code: sqlite3.ErrReadonly, ExtendedCode: sqlite3.ErrNoExtended(sqlite3.ErrReadonly)}, ErrReadOnly},
		{"read-only, moved", sqlite3.Error{Code: sqlite3.ErrReadonly, ExtendedCode: sqlite3.ErrReadonlyDbMoved}, ErrReadOnly},
		{"permission", sqlite3.Error{Code: sqlite3.ErrPerm}, ErrReadOnly},
		{"cannot open, read-only disk", sqlite3.Error{Code: sqlite3.ErrCantOpen, SystemErrno: syscall.EROFS}, ErrReadOnly},
		{"busy", sqlite3.Error{Code: sqlite3.ErrBusy, ExtendedCode: sqlite3.ErrNoExtended(sqlite3.ErrBusy)}, ErrBusy},
		{"busy snapshot", sqlite3.Error{Code: sqlite3.ErrBusy, ExtendedCode: sqlite3.ErrBusySnapshot}, ErrBusy},
		{"locked", sqlite3.Error{Code: sqlite3.ErrLocked}, ErrBusy},
		{"unique", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique}, ErrConstraint},
		{"foreign key", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintForeignKey}, ErrConstraint},
		{"corrupt", sqlite3.Error{Code: sqlite3.ErrCorrupt}, ErrDamaged},
		{"not a database", sqlite3.Error{Code: sqlite3.ErrNotADB}, ErrDamaged},
		{"misuse", sqlite3.Error{Code: sqlite3.ErrMisuse}, nil},
	}
	st := &Store{path: "/ledgers/bulkpay.db"}
	sentinels := []error{ErrDiskFull, ErrReadOnly, ErrIO, ErrBusy, ErrConstraint, ErrDamaged}
	for _, tt := range tests {
		err := st.fail("claim items", fmt.Errorf("insert attempt: %w", tt.err))
		assert.True(t, strings.HasPrefix(err.Error(), "claim items: "), "%s: %v", tt.name, err)
		for _, s := range sentinels {
			assert.Equal(t, s == tt.want, errors.Is(err, s), "%s: errors.Is(%v)", tt.name, s)
		}
		var se sqlite3.Error
		if tt.want != ErrDamaged {
			assert.True(t, errors.As(err, &se), "%s: the driver's error stays reachable", tt.name)
		}
		wantWrite := tt.want == ErrDiskFull || tt.want == ErrReadOnly || tt.want == ErrIO
		assert.Equal(t, wantWrite, IsWriteFailure(err), tt.name)
		if tt.want != nil && tt.want != ErrDamaged {
			assert.Contains(t, err.Error(), "/ledgers/bulkpay.db", "%s: names the file", tt.name)
		}
	}
	assert.False(t, IsWriteFailure(errors.New("database or disk is full")), "text is never matched")
	assert.Nil(t, st.fail("x", nil))
}

func TestFullDiskIsErrDiskFull(t *testing.T) {
	t.Parallel()
	st, b := seeded(t, 2)
	ctx := context.Background()
	var pages int64
	require.NoError(t, st.db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages))
	_, err := st.db.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)) // the disk holds no more
	require.NoError(t, err)

	big, items := batch.Batch{Reference: "big", SheetHash: "h", SheetName: "s.csv", Currency: "XAF"}, make([]batch.Item, 500)
	for i := range items {
		items[i] = batch.Item{Row: i + 2, Name: strings.Repeat("N", 200), Phone: fmt.Sprintf("2376771%05d", i), Country: "CM",
			Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 1000, Reference: fmt.Sprintf("big-%d", i), Provider: "campay"}
	}
	err = st.CreateBatch(ctx, &big, items)
	require.ErrorIs(t, err, ErrDiskFull)
	assert.True(t, IsWriteFailure(err))
	assert.True(t, strings.HasPrefix(err.Error(), `create batch "big": `), err.Error())
	_, err = st.Batch(ctx, "big")
	require.ErrorIs(t, err, batch.ErrBatchNotFound, "nothing of it was kept")

	claims, err := st.Claim(ctx, b.ID, "campay", 1)
	require.NoError(t, err, "a claim that needs no new page still fits")
	require.Len(t, claims, 1)
}

func TestReadOnlyLedgerIsErrReadOnly(t *testing.T) {
	t.Parallel()
	st, b := seeded(t, 1)
	ctx := context.Background()
	ro := openDSN(t, st.Path(), map[string]string{"mode": "ro"})

	got, err := ro.Batch(ctx, "b-1")
	require.NoError(t, err, "reading works")
	assert.Equal(t, b.ID, got.ID)
	err = ro.Note(ctx, b.ID, "run refused", "")
	require.ErrorIs(t, err, ErrReadOnly)
	assert.True(t, IsWriteFailure(err))
	assert.True(t, strings.HasPrefix(err.Error(), "note event: "), err.Error())
	_, err = ro.Claim(ctx, b.ID, "campay", 1)
	require.ErrorIs(t, err, ErrReadOnly)
	assert.True(t, strings.HasPrefix(err.Error(), "claim items: "), err.Error())
}

func TestLedgerHeldByAnotherWriterIsErrBusy(t *testing.T) {
	t.Parallel()
	st, b := seeded(t, 1)
	ctx := context.Background()
	impatient := openDSN(t, st.Path(), map[string]string{"_busy_timeout": "0"})

	tx, err := st.db.BeginTx(ctx, nil) // an immediate transaction: the write lock is taken
	require.NoError(t, err)
	err = impatient.Note(ctx, b.ID, "c", "d")
	require.ErrorIs(t, err, ErrBusy)
	assert.False(t, IsWriteFailure(err), "busy is no disk failure: trying again later may work")
	require.NoError(t, tx.Rollback())
	require.NoError(t, impatient.Note(ctx, b.ID, "c", "d"), "free again")
}

func TestAReferenceUsedTwiceIsErrConstraint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openTemp(t)
	_, items := seed(t, st, 1)
	other := batch.Batch{Reference: "b-2", SheetHash: "h", SheetName: "s.xlsx", Currency: "XAF", TotalAmount: 1000}
	err := st.CreateBatch(ctx, &other, []batch.Item{{Row: 2, Name: "N", Phone: "237677123450", Country: "CM", Operator: "MTN",
		Mode: batch.ModeMobileMoney, Amount: 1000, Reference: items[0].Reference, Provider: "campay"}})
	require.ErrorIs(t, err, ErrConstraint)
	require.NotErrorIs(t, err, batch.ErrBatchExists, "the batch reference is free: an item's is not")
	assert.Contains(t, err.Error(), "row 2")
}

func TestStoredValuesThatCannotBeReadAreErrors(t *testing.T) {
	t.Parallel()
	type read func(ctx context.Context, st *Store, b batch.Batch, it batch.Item) error
	var (
		readBatch read = func(ctx context.Context, st *Store, b batch.Batch, _ batch.Item) error {
			_, err := st.Batch(ctx, b.Reference)
			return err
		}
		listBatches read = func(ctx context.Context, st *Store, _ batch.Batch, _ batch.Item) error {
			_, err := st.Batches(ctx)
			return err
		}
		readItems read = func(ctx context.Context, st *Store, b batch.Batch, _ batch.Item) error {
			_, err := st.Items(ctx, b.ID)
			return err
		}
		readEvents read = func(ctx context.Context, st *Store, b batch.Batch, _ batch.Item) error {
			_, err := st.Events(ctx, b.ID, 0)
			return err
		}
		readAttempts read = func(ctx context.Context, st *Store, _ batch.Batch, it batch.Item) error {
			_, err := st.Attempts(ctx, it.ID)
			return err
		}
		readReconciliation read = func(ctx context.Context, st *Store, b batch.Batch, _ batch.Item) error {
			_, err := st.Reconciliation(ctx, b.ID)
			return err
		}
		lock read = func(ctx context.Context, st *Store, b batch.Batch, _ batch.Item) error {
			return st.Lock(ctx, b.ID, batch.Owner{PID: 2, Host: "h", At: time.Now()})
		}
		findRepeats read = func(ctx context.Context, st *Store, _ batch.Batch, it batch.Item) error {
			_, err := st.Repeats(ctx, 999, []string{it.Fingerprint})
			return err
		}
	)
	tests := []struct {
		name   string
		damage string // SQL run on the ledger
		read   read
		column string
	}{
		{"a batch's creation time", `UPDATE batches SET created_at = 'yesterday'`, readBatch, "created_at"},
		{"an approval time", `UPDATE batches SET approved_at = '2026-13-45'`, listBatches, "approved_at"},
		{"a fee configuration", `UPDATE batches SET fees = '{"profit_configurations": 12'`, readBatch, "fees"},
		{"a fee configuration of the wrong shape", `UPDATE batches SET fees = '{"profit_configurations": "none"}'`, readBatch, "fees"},
		{"an endpoint", `UPDATE batches SET endpoint = 'http://127.0.0.1:8089'`, readBatch, "endpoint"},
		{"an item's time", `UPDATE items SET updated_at = '12:00'`, readItems, "updated_at"},
		{"an event's time", `INSERT INTO events (batch_id, at, cause) SELECT id, 'now', 'edited' FROM batches`, readEvents, "at"},
		{"an attempt's time", `INSERT INTO attempts (item_id, provider, reference, kind, started_at)
			SELECT id, provider, reference, 'send', 'soon' FROM items`, readAttempts, "started_at"},
		{"a reconciliation time", `UPDATE batches SET reconciled_at = 'never'`, readReconciliation, "reconciled_at"},
		{"a lock holder's time", `UPDATE batches SET lock_pid = 1, lock_host = 'h', lock_at = 'then', lock_start = '1'`, lock, "lock_at"},
		{"a repeated payment's batch time", `UPDATE batches SET created_at = 'x'`, findRepeats, "created_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := openTemp(t)
			b, items := seed(t, st, 1)
			_, err := st.db.ExecContext(ctx, tt.damage)
			require.NoError(t, err)
			err = tt.read(ctx, st, b, items[0])
			require.ErrorIs(t, err, ErrBadValue)
			var ve *ValueError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.column, ve.Column)
			assert.Contains(t, err.Error(), "column "+tt.column)
		})
	}
}

func TestEveryMethodNamesItsOperation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openTemp(t)
	b, items := seed(t, st, 1)
	require.NoError(t, st.Close()) // every call now fails in the driver
	it := items[0]
	owner := batch.Owner{PID: 1, Host: "h", At: time.Now()}

	tests := []struct {
		op   string
		call func() error
	}{
		{"create batch \"b-2\": ", func() error {
			b2 := batch.Batch{Reference: "b-2"}
			return st.CreateBatch(ctx, &b2, nil)
		}},
		{"read batch \"b-1\": ", func() error { _, err := st.Batch(ctx, "b-1"); return err }},
		{"list batches: ", func() error { _, err := st.Batches(ctx); return err }},
		{"read items: ", func() error { _, err := st.Items(ctx, b.ID); return err }},
		{"claim items: ", func() error { _, err := st.Claim(ctx, b.ID, "campay", 1); return err }},
		{"start attempt of item ", func() error { _, err := st.StartAttempt(ctx, it.ID, batch.KindRetry, ""); return err }},
		{"apply changes: ", func() error {
			return st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Planned, To: batch.Submitting, Cause: "x"})
		}},
		{"read attempts of item ", func() error { _, err := st.Attempts(ctx, it.ID); return err }},
		{"read events: ", func() error { _, err := st.Events(ctx, b.ID, 0); return err }},
		{"note event: ", func() error { return st.Note(ctx, b.ID, "c", "d") }},
		{"lock batch: ", func() error { return st.Lock(ctx, b.ID, owner) }},
		{"unlock batch: ", func() error { return st.Unlock(ctx, b.ID, owner) }},
		{"read campay contacts: ", func() error { _, err := st.Contacts(ctx, "campay"); return err }},
		{"remember campay contacts: ", func() error { return st.RememberContacts(ctx, "campay", []string{"1"}) }},
		{"find repeated payments: ", func() error { _, err := st.Repeats(ctx, b.ID, []string{"f"}); return err }},
		{"record approval: ", func() error { return st.Approve(ctx, b.ID, batch.Approval{Hash: "h", By: "a"}, "") }},
		{"read provider references: ", func() error { _, err := st.ProviderReferences(ctx); return err }},
		{"save reconciliation: ", func() error { return st.SaveReconciliation(ctx, b.ID, batch.Reconciliation{}) }},
		{"read reconciliation: ", func() error { _, err := st.Reconciliation(ctx, b.ID); return err }},
		{"record plan: ", func() error { return st.RecordPlan(ctx, b.ID, "a", "h", "", batch.Policy{}) }},
		{"record approval rules: ", func() error { return st.RecordPolicy(ctx, b.ID, batch.Policy{}, "a") }},
		{"read planners: ", func() error { _, err := st.Planners(ctx, b.ID); return err }},
		{"set endpoint: ", func() error { return st.SetEndpoint(ctx, b.ID, batch.Endpoint{}, "c", "d", "a") }},
		{"check ledger ", func() error { return st.Check(ctx) }},
		{"checkpoint ledger ", func() error { return st.Checkpoint(ctx) }},
		{"read pragma journal_mode: ", func() error { _, err := st.Pragma(ctx, "journal_mode"); return err }},
	}
	for _, tt := range tests {
		err := tt.call()
		require.Error(t, err, tt.op)
		assert.True(t, strings.HasPrefix(err.Error(), tt.op), "%q does not start with %q", err, tt.op)
	}
}
