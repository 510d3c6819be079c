package ledger

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

func TestPolicyPlannersAndEndpointAreStoredWithTheBatch(t *testing.T) {
	t.Parallel()
	st := openTemp(t)
	ctx := context.Background()
	b := batch.Batch{Reference: "p-1", SheetHash: "h", SheetName: "s.xlsx", Currency: "XAF", TotalAmount: 1000, CreatedBy: "root",
		Policy:   batch.Policy{RequireApproval: true},
		Endpoint: batch.SandboxEndpoint("http://127.0.0.1:8089")}
	items := []batch.Item{{Row: 2, Name: "N", Phone: "237677123450", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney,
		Amount: 1000, Reference: "ref-p", Provider: "campay"}}
	require.NoError(t, st.CreateBatch(ctx, &b, items))

	got, err := st.Batch(ctx, "p-1")
	require.NoError(t, err)
	assert.Equal(t, batch.Policy{RequireApproval: true}, got.Policy)
	assert.Equal(t, batch.SandboxEndpoint("http://127.0.0.1:8089"), got.Endpoint)

	// a later plan adds its planner and can only make the rules stricter
	require.NoError(t, st.RecordPlan(ctx, b.ID, "awa", "hash", "login root", batch.Policy{FourEyes: true}))
	require.NoError(t, st.RecordPolicy(ctx, b.ID, batch.Policy{}, "root"))
	got, err = st.Batch(ctx, "p-1")
	require.NoError(t, err)
	assert.Equal(t, batch.Policy{RequireApproval: true, FourEyes: true}, got.Policy, "a plan without the config relaxes nothing")
	planners, err := st.Planners(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"root", "awa"}, planners)

	live := batch.LiveEndpoint(map[string]string{"campay": "https://www.campay.net/api"})
	require.NoError(t, st.SetEndpoint(ctx, b.ID, live, "paid through", live.String(), "root"))
	got, err = st.Batch(ctx, "p-1")
	require.NoError(t, err)
	assert.Equal(t, live, got.Endpoint)
	evs, err := st.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	assert.Equal(t, "paid through", evs[len(evs)-1].Cause)
}
