package ledger

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// What the ledger's errors are, for callers to branch on with errors.Is. The
// driver's errors are mapped to them by their SQLite result codes, never by
// their text; an *Error carries the driver's own. A damaged file is ErrDamaged
// (a *DamagedError); a batch reference planned twice is batch.ErrBatchExists.
var (
	// ErrDiskFull: the disk holding the ledger (or its -wal) is full.
	ErrDiskFull = errors.New("the ledger's disk is full")
	// ErrReadOnly: the ledger file, or its folder, cannot be written.
	ErrReadOnly = errors.New("the ledger cannot be written (read-only)")
	// ErrIO: the disk failed a read or a write of the ledger.
	ErrIO = errors.New("the ledger's disk failed a read or write")
	// ErrBusy: another process held the ledger longer than the busy timeout.
	ErrBusy = errors.New("the ledger is busy: another process holds it")
	// ErrConstraint: a write broke one of the ledger's rules (a reference
	// used twice, a row that does not exist): a bug, not bad input.
	ErrConstraint = errors.New("the ledger refused a write that breaks its rules")
	// ErrBadValue: a stored value (a time, a fee configuration, an endpoint)
	// cannot be read back; a *ValueError says which.
	ErrBadValue = errors.New("the ledger holds a value bulkpay cannot read")
	// ErrUnreachable: the ledger's PostgreSQL server cannot be reached (down,
	// refusing connections, a wrong host or port, a name that does not resolve).
	ErrUnreachable = errors.New("the ledger's database server cannot be reached")
)

// IsWriteFailure reports whether err is the ledger failing to record a write
// because of its disk or file (full, read-only, an I/O error): nothing that
// needs the write recorded first may go on, and the remedy is on the machine
// (free space, fix permissions, bring the database server back), not in bulkpay.
func IsWriteFailure(err error) bool {
	return errors.Is(err, ErrDiskFull) || errors.Is(err, ErrReadOnly) || errors.Is(err, ErrIO) || errors.Is(err, ErrUnreachable)
}

// Error is a driver error the ledger recognised: Kind is one of the sentinels
// above, Err the driver's error (a sqlite3.Error, reachable with errors.As).
type Error struct {
	Kind error
	Path string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%v: %s (%v)", e.Kind, e.Path, e.Err) }

// Is reports whether target is the error's kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

func (e *Error) Unwrap() error { return e.Err }

// ValueError is a stored value that cannot be read back.
type ValueError struct {
	Table  string
	ID     int64 // the row's id
	Column string
	Value  string
	Err    error
}

func (e *ValueError) Error() string {
	v := e.Value
	if len(v) > 80 {
		v = v[:80] + "..."
	}
	return fmt.Sprintf("%v: %s %d, column %s, value %s: %v", ErrBadValue, e.Table, e.ID, e.Column, strconv.Quote(v), e.Err)
}

// Is reports whether target is ErrBadValue.
func (e *ValueError) Is(target error) bool { return target == ErrBadValue }

func (e *ValueError) Unwrap() error { return e.Err }

// kindOf maps a SQLite error to the ledger's sentinel by its result code (and
// the system errno SQLite reports with an I/O error); nil for a code that has
// none.
func kindOf(se sqlite3.Error) error {
	code := sqlite3.ErrNo(se.ExtendedCode & 0xff)
	if se.ExtendedCode == 0 {
		code = se.Code
	}
	switch code {
	case sqlite3.ErrFull:
		return ErrDiskFull
	case sqlite3.ErrReadonly, sqlite3.ErrPerm:
		return ErrReadOnly
	case sqlite3.ErrIoErr, sqlite3.ErrCantOpen:
		switch se.SystemErrno {
		case syscall.ENOSPC, syscall.EDQUOT:
			return ErrDiskFull
		case syscall.EROFS, syscall.EACCES, syscall.EPERM:
			return ErrReadOnly
		}
		return ErrIO
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		return ErrBusy
	case sqlite3.ErrConstraint:
		return ErrConstraint
	}
	return nil
}

// isUnique tells a UNIQUE constraint violation from other driver errors.
func isUnique(err error) bool {
	var se sqlite3.Error
	var pe *pgconn.PgError
	return (errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique) ||
		(errors.As(err, &pe) && pe.Code == pgUniqueViolation)
}

const pgUniqueViolation = "23505"

// pgKindOf maps a PostgreSQL error to the ledger's sentinel by its SQLSTATE
// (or, for a connection that failed, its kind); nil for one that has none.
func pgKindOf(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		code := pe.Code
		switch {
		case code == "40001" || code == "40P01" || code == "55P03" || code == "57014":
			// serialization failure, deadlock, lock not available, a statement
			// timeout: another writer held what this one needed
			return ErrBusy
		case strings.HasPrefix(code, "23"):
			return ErrConstraint
		case code == "25006" || code == "42501":
			// a read-only transaction (a hot standby, default_transaction_read_only),
			// a role without the privilege to write
			return ErrReadOnly
		case code == "53100":
			return ErrDiskFull
		case code == "58030" || code == "XX001" || code == "XX002":
			return ErrIO
		case strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03" || code == "53300":
			// connection exceptions, the server shutting down or starting up, too many connections
			return ErrUnreachable
		}
		return nil
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, driver.ErrBadConn) {
		return ErrUnreachable
	}
	return nil
}

// mapErr gives err with the driver's error, if any, mapped to the ledger's
// own: a damaged file as a *DamagedError, a code with a sentinel as an *Error.
// An error already mapped, or of another kind, is returned as it is.
func (s *Store) mapErr(err error) error {
	if err == nil {
		return nil
	}
	var de *DamagedError
	var le *Error
	if errors.As(err, &de) || errors.As(err, &le) {
		return err
	}
	if d := s.asDamaged(err); d != nil {
		return d
	}
	if s.pg {
		if kind := pgKindOf(err); kind != nil {
			return &Error{Kind: kind, Path: s.path, Err: s.redacted(err)}
		}
		return s.redacted(err)
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		if kind := kindOf(se); kind != nil {
			return &Error{Kind: kind, Path: s.path, Err: err}
		}
	}
	return err
}

// redacted is err with the DSN's password, wherever the driver quoted it,
// replaced: the error stays reachable (errors.Is, errors.As), its text does
// not show the secret.
func (s *Store) redacted(err error) error {
	if s.secret == "" || err == nil || !strings.Contains(err.Error(), s.secret) {
		return err
	}
	return &redactedError{text: strings.ReplaceAll(err.Error(), s.secret, "xxxxx"), err: err}
}

type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// fail wraps err with the operation that met it, the driver's error mapped.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, s.mapErr(err))
}
