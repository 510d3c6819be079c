package batch_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/campay"
	"bulkpay/providers/sandbox"
)

// refusesSecond is CamPay refusing its second payout before processing it,
// so that the runner resends it under a new attempt.
type refusesSecond struct {
	*campay.Client
	n atomic.Int32
}

func (f *refusesSecond) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	if f.n.Add(1) == 2 {
		return providers.Result{}, &providers.Error{Class: providers.ErrTransient, Provider: "campay", Op: "send", HTTPStatus: 503, Message: "busy"}
	}
	return f.Client.Send(ctx, p)
}

// lateFirstAnswer holds the record of the first answer until a retry's
// attempt, which it cannot start (the disk is failing), was asked for.
type lateFirstAnswer struct {
	batch.RunStore
	release  chan struct{}
	first    atomic.Bool
	recorded atomic.Bool
}

func (s *lateFirstAnswer) Apply(ctx context.Context, cs ...batch.Change) error {
	if len(cs) > 0 && cs[0].From == batch.Submitting && cs[0].To != batch.Planned && s.first.CompareAndSwap(false, true) {
		<-s.release
		err := s.RunStore.Apply(ctx, cs...)
		s.recorded.Store(true)
		return err
	}
	return s.RunStore.Apply(ctx, cs...)
}

func (s *lateFirstAnswer) StartAttempt(ctx context.Context, id int64, kind, req string) (int64, error) {
	if kind == batch.KindRetry {
		close(s.release)
		return 0, errors.New("disk I/O error")
	}
	return s.RunStore.StartAttempt(ctx, id, kind, req)
}

// A worker that sends the items it claimed ahead without waiting for each
// answer's record stops on an error only once the answers it handed over are
// recorded: no record lands after the run has ended.
func TestNoAnswerIsRecordedAfterTheRunEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 5, sandbox.Options{}, 2*time.Second)
	st := &lateFirstAnswer{RunStore: e.st, release: make(chan struct{})}
	r := &batch.Runner{Store: st, Clock: e.clock, RetryBase: time.Millisecond, PollInterval: 10 * time.Millisecond, PendingWait: -1,
		Lanes: map[string]batch.Lane{"campay": {Provider: &refusesSecond{Client: e.client}, Concurrency: 1}}}
	_, err := r.Run(context.Background(), e.b)
	require.ErrorContains(t, err, "disk I/O error")
	require.True(t, st.recorded.Load(), "the first answer was still being recorded when the run returned")
}

// finalStatusFails cannot record a payout's final status.
type finalStatusFails struct{ batch.RunStore }

func (s finalStatusFails) Apply(ctx context.Context, cs ...batch.Change) error {
	if len(cs) > 0 && cs[0].From == batch.Pending {
		return errors.New("disk I/O error")
	}
	return s.RunStore.Apply(ctx, cs...)
}

// A final status that cannot be recorded stops the run with that error, not
// as an interruption (which would say "rerun" and hide a failing ledger).
func TestAFinalStatusNotRecordedIsTheRunsError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 40, sandbox.Options{}, 2*time.Second)
	r := e.runner(e.client)
	r.Store = finalStatusFails{e.st}
	_, err := r.Run(context.Background(), e.b)
	require.ErrorContains(t, err, "disk I/O error")
	require.NotErrorIs(t, err, batch.ErrInterrupted)
}

// countsItemReads counts the items read back one by one.
type countsItemReads struct {
	batch.RunStore
	reads atomic.Int32
}

func (s *countsItemReads) Item(ctx context.Context, id int64) (batch.Item, error) {
	s.reads.Add(1)
	return s.RunStore.Item(ctx, id)
}

// movesSeen is an Observer that does not show items: it counts final moves.
type movesSeen struct{ finals atomic.Int32 }

func (m *movesSeen) Moved(_ batch.Item, _, to batch.State) {
	if to.Terminal() {
		m.finals.Add(1)
	}
}

// A final status found by a check is told to an observer that does not show
// items without reading the item back from the store (an ItemShower that
// shows them hears of the whole item: TestALaneThatSentEverythingSettlesWhileAnotherStillSends).
func TestAnObserverThatShowsNoItemsCostsNoRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 6, sandbox.Options{}, 2*time.Second)
	st := &countsItemReads{RunStore: e.st}
	obs := &movesSeen{}
	r := e.runner(e.client)
	r.Store, r.Observer = st, obs
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	require.Equal(t, 6, sum.Counts[batch.Succeeded])
	assert.EqualValues(t, 6, obs.finals.Load())
	assert.Zero(t, st.reads.Load())
}
