package door

import (
	"errors"
	"runtime/debug"

	"bulkpay/batch"
)

// Crash is a panic in the work on a batch that may have sent payouts: it goes
// on up with the batch, so that what catches it can say how to finish it.
type Crash struct {
	Batch batch.Batch // with where it is paid
	Value any         // what the panic was
	Stack []byte      // where
}

// crashed, deferred by the work on b, turns a panic into a *Crash naming b
// and panics again with it.
func crashed(b batch.Batch) {
	v := recover()
	if v == nil {
		return
	}
	if _, ok := v.(*Crash); !ok {
		v = &Crash{Batch: b, Value: v, Stack: debug.Stack()}
	}
	panic(v)
}

// Guard runs f, work on b: a panic in it goes on up as a *Crash naming b.
func Guard(b batch.Batch, f func() error) error {
	defer crashed(b)
	return f()
}

// Guard runs f, work on b beside its payment session: a panic in it goes on
// up as a *Crash naming b, paid where p pays unless b says where it is.
func (p Payment) Guard(b batch.Batch, f func() error) error {
	if b.Endpoint.IsZero() {
		b.Endpoint = p.Config.Endpoint(p.Target)
	}
	return Guard(b, f)
}

// BegunError is an error met once a payment session held its batch:
// requests may have left, so it never says "nothing was sent".
type BegunError struct{ Err error }

func (e *BegunError) Error() string { return e.Err.Error() }
func (e *BegunError) Unwrap() error { return e.Err }

// Begun says whether err was met once a payment session held its batch.
func Begun(err error) bool {
	var be *BegunError
	return errors.As(err, &be)
}
