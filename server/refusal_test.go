package server

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/batch"
)

func TestOnlyRefusalsAreToldAsRefusals(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("four eyes: %w", batch.ErrRefused), http.StatusForbidden},
		{inputError("say why"), http.StatusBadRequest},
		{&batch.LockedError{}, http.StatusConflict},
		{fmt.Errorf("start: %w", ErrRunning), http.StatusConflict},
		{batch.ErrNothingToCancel, http.StatusConflict},
		{conflictError("the plan changed"), http.StatusConflict},
		// the ledger or a provider failing is no refusal: 500, its text kept from people
		{errors.New("record the note: disk I/O error: /srv/bulkpay.db"), http.StatusInternalServerError},
		{fmt.Errorf("open session: %w", errors.New("dial tcp: connection refused")), http.StatusInternalServerError},
	} {
		assert.Equal(t, tt.want, refusalStatus(tt.err), "%v", tt.err)
	}
}
