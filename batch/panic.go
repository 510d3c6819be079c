package batch

import (
	"fmt"
	"runtime/debug"
)

// PanicError is a panic caught in one of a run's goroutines: a bug, not a
// refusal. Every step recorded before it is in the ledger, so resuming the
// batch settles what was in flight and pays nobody twice.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal error (a bug in bulkpay): %v", e.Value)
}

// guard runs f, turning a panic into a *PanicError, so that a panic in a lane
// ends the run with an error instead of killing the process without a word.
func guard(f func() error) func() error {
	return func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		return f()
	}
}
