package door

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
)

func TestGuardNamesTheBatchOfAPanic(t *testing.T) {
	t.Parallel()
	b := batch.Batch{Reference: "paie", Endpoint: batch.SandboxEndpoint("http://127.0.0.1:8089")}
	defer func() {
		c, ok := recover().(*Crash)
		require.True(t, ok, "the panic goes on as a *Crash")
		assert.Equal(t, "inner", c.Batch.Reference, "the innermost work names its batch")
		assert.Equal(t, "boom", c.Value)
		assert.Contains(t, string(c.Stack), "crash_test.go", "the stack is where it panicked")
	}()
	_ = Guard(b, func() error {
		// an outer guard passes the inner one's crash on as it is
		return Guard(batch.Batch{Reference: "inner"}, func() error { panic("boom") })
	})
	t.Fatal("not reached")
}

func TestGuardFillsWherePaymentPays(t *testing.T) {
	t.Parallel()
	p := Payment{Target: config.Target{SandboxURL: "http://127.0.0.1:9"}}
	defer func() {
		c := recover().(*Crash)
		assert.Equal(t, batch.SandboxEndpoint("http://127.0.0.1:9"), c.Batch.Endpoint)
	}()
	_ = p.Guard(batch.Batch{Reference: "paie"}, func() error { panic("boom") })
}

func TestBegunSurvivesWrapping(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("context: %w", &BegunError{Err: batch.ErrInvalid})
	assert.True(t, Begun(err))
	assert.True(t, errors.Is(err, batch.ErrInvalid), "the error it marks is still found")
	assert.Equal(t, "context: "+batch.ErrInvalid.Error(), err.Error(), "the message is the error's own")
	assert.False(t, Begun(batch.ErrInvalid))
	assert.False(t, Begun(nil))
}
