package ledger

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

func TestCallbackLogAndRunningBatches(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		alive := true
		at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
		st, err := Open(ctx, loc, WithClock(func() time.Time { return at }),
			WithProcessCheck(func(int, string) bool { return alive }))
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })

		refused := batch.CallbackRecord{Provider: "campay", SourceAddr: "203.0.113.9", Method: "POST", Raw: `{"status":"SUCCESSFUL"}`,
			Verdict: batch.VerdictRefused, Detail: "callback signature not valid: signature does not match"}
		require.NoError(t, st.RecordCallback(ctx, refused))
		settled := batch.CallbackRecord{At: at.Add(time.Second), Provider: "camoo", ItemReference: "ours", ProviderReference: "CM-1",
			BatchID: 1, ItemID: 2, Verdict: batch.VerdictSettled}
		require.NoError(t, st.RecordCallback(ctx, settled))
		logged, err := st.Callbacks(ctx)
		require.NoError(t, err)
		require.Len(t, logged, 2)
		refused.ID, refused.At, settled.ID = 1, at, 2
		assert.Equal(t, []batch.CallbackRecord{refused, settled}, logged, "kept as received, the ledger's time when none is given")

		b := batch.Batch{Reference: "paie", Currency: "XAF", TotalAmount: 1000}
		require.NoError(t, st.CreateBatch(ctx, &b, []batch.Item{{Row: 2, Reference: "r2", Provider: "camoo", Amount: 1000}}))
		running, err := st.Running(ctx, b.ID)
		require.NoError(t, err)
		assert.False(t, running, "nobody holds it")
		here, _ := os.Hostname()
		require.NoError(t, st.Lock(ctx, b.ID, batch.Owner{PID: 4242, Host: here, Start: "1", At: at}))
		running, err = st.Running(ctx, b.ID)
		require.NoError(t, err)
		assert.True(t, running)
		alive = false
		running, err = st.Running(ctx, b.ID)
		require.NoError(t, err)
		assert.False(t, running, "its holder is gone")
		require.NoError(t, st.Unlock(ctx, b.ID, batch.Owner{PID: 4242, Host: here}))
		require.NoError(t, st.Lock(ctx, b.ID, batch.Owner{PID: 4242, Host: "elsewhere", Start: "1", At: at}))
		running, err = st.Running(ctx, b.ID)
		require.NoError(t, err)
		assert.True(t, running, "a holder on another host is taken as live, as Lock takes it")
	})
}
