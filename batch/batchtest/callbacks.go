package batchtest

import (
	"context"

	"bulkpay/batch"
)

// RecordCallback implements batch.CallbackLog.
func (m *Memory) RecordCallback(ctx context.Context, r batch.CallbackRecord) error {
	return m.call("RecordCallback", "record callback", func() error {
		r.ID = int64(len(m.cbs) + 1)
		if r.At.IsZero() {
			r.At = m.stamp()
		}
		r.At = utc(r.At)
		m.cbs = append(m.cbs, r)
		return nil
	})
}

// Callbacks implements batch.CallbackLog.
func (m *Memory) Callbacks(ctx context.Context) (out []batch.CallbackRecord, err error) {
	err = m.call("Callbacks", "read callbacks", func() error {
		out = append([]batch.CallbackRecord(nil), m.cbs...)
		return nil
	})
	return out, err
}

// Running implements batch.RunChecker: whether a live process holds the
// batch's lock (one on another host counts as live).
func (m *Memory) Running(ctx context.Context, batchID int64) (running bool, err error) {
	err = m.onBatch("Running", "read the batch's lock", batchID, func(r *record) error {
		running = r.lock != nil && m.alive(r.lock.PID, r.lock.Start)
		return nil
	})
	return running, err
}
