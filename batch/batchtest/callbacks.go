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
