package cli_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/sheet"
)

func TestExitCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    error
		paying bool
		want   int
	}{
		{"nothing wrong", nil, false, cli.ExitOK},
		{"a refused sheet", fmt.Errorf("%w: fix the rows", batch.ErrInvalid), false, cli.ExitInvalid},
		{"a command typed wrongly", cli.Usagef("missing BATCH"), false, cli.ExitInvalid},
		{"a header not found", &sheet.HeaderError{}, false, cli.ExitInvalid},
		{"a file that is no sheet", fmt.Errorf("read: %w", sheet.ErrFormat), false, cli.ExitInvalid},
		{"invalid input once payouts may have left", fmt.Errorf("%w: x", batch.ErrInvalid), true, cli.ExitError},
		{"a sheet error once payouts may have left", fmt.Errorf("read: %w", sheet.ErrFormat), true, cli.ExitError},
		{"failed payouts", fmt.Errorf("%w: 2 failed", batch.ErrFailed), true, cli.ExitFailed},
		{"open payouts", fmt.Errorf("%w: 1 pending", batch.ErrUnfinished), true, cli.ExitUnfinished},
		{"a mismatch", fmt.Errorf("%w: 1", batch.ErrMismatch), true, cli.ExitUnfinished},
		{"interrupted", batch.ErrInterrupted, true, cli.ExitInterrupted},
		{"interrupted while waiting for the lock", batch.ErrInterrupted, false, cli.ExitInterrupted},
		{"held by another run", &batch.LockedError{Reference: "paie", PID: 12}, false, cli.ExitHeld},
		{"still held after waiting", fmt.Errorf("%w; still running after waiting 50ms", &batch.LockedError{Reference: "paie"}), false, cli.ExitHeld},
		{"not approved", &batch.Refusal{Rule: "approval", Reason: "batch paie is not approved"}, false, cli.ExitRefused},
		{"four eyes at approval", &batch.Refusal{Rule: "four_eyes", Reason: "planned by awa"}, false, cli.ExitRefused},
		{"balance short, after the lock was taken", &batch.Refusal{Rule: "balance", Reason: "balance short"}, true, cli.ExitRefused},
		{"a repeat payment", &batch.RepeatError{Sheet: "paie.csv", Period: "2026-11"}, false, cli.ExitRefused},
		{"a changed sheet", &batch.ChangedError{Reference: "paie"}, false, cli.ExitError},
		{"a broken ledger", fmt.Errorf("%w: 1 finding", batch.ErrFindings), false, cli.ExitError},
		{"a panic in a lane", &batch.PanicError{Value: "boom"}, true, cli.ExitError},
		{"a panic next to failures", errors.Join(&batch.PanicError{Value: "boom"}, errors.New("ledger")), true, cli.ExitError},
		{"an operational error", errors.New("ledger locked"), false, cli.ExitError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, cli.ExitCode(tc.err, tc.paying))
		})
	}
}
