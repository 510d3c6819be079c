package ledger

import (
	"errors"
	"fmt"
	"strconv"
	"syscall"

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
)

// IsWriteFailure reports whether err is the ledger failing to record a write
// because of its disk or file (full, read-only, an I/O error): nothing that
// needs the write recorded first may go on, and the remedy is on the machine
// (free space, fix permissions), not in bulkpay.
func IsWriteFailure(err error) bool {
	return errors.Is(err, ErrDiskFull) || errors.Is(err, ErrReadOnly) || errors.Is(err, ErrIO)
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
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
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
	var se sqlite3.Error
	if errors.As(err, &se) {
		if kind := kindOf(se); kind != nil {
			return &Error{Kind: kind, Path: s.path, Err: err}
		}
	}
	return err
}

// fail wraps err with the operation that met it, the driver's error mapped.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, s.mapErr(err))
}
