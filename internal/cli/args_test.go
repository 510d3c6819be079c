package cli_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/internal/cli"
	"bulkpay/internal/door"
)

func TestBatchKey(t *testing.T) {
	t.Parallel()
	sheet := filepath.Join(t.TempDir(), "payroll-2026-03.csv")
	require.NoError(t, os.WriteFile(sheet, []byte("phone,amount\n"), 0o600))
	assert.Equal(t, "payroll-2026-03", cli.BatchKey(sheet), "a sheet names its batch by its file name")
	assert.Equal(t, "payroll-2026-03", cli.BatchKey("payroll-2026-03"), "a reference is taken as it is")
	assert.Equal(t, "12", cli.BatchKey("12"))
}

func TestLinkStatuses(t *testing.T) {
	t.Parallel()
	got, err := cli.LinkStatuses(" sent, expired ,")
	require.NoError(t, err)
	assert.Equal(t, []batch.LinkStatus{batch.LinkSent, batch.LinkExpired}, got)
	got, err = cli.LinkStatuses("")
	require.NoError(t, err)
	assert.Empty(t, got)
	_, err = cli.LinkStatuses("sent,paid")
	require.ErrorIs(t, err, cli.ErrUsage)
	assert.Contains(t, err.Error(), `--status "paid"`)
}

func TestSay(t *testing.T) {
	t.Parallel()
	var errw strings.Builder
	cli.Say(&errw, nil, false, "planned batch %s", "paie")
	cli.Say(&errw, nil, true, "not said under --quiet")
	assert.Equal(t, "planned batch paie\n", errw.String())
}

func TestLong(t *testing.T) {
	t.Parallel()
	texts := fstest.MapFS{"help/run.txt": {Data: []byte("Run pays a sheet.\n")}}
	assert.Equal(t, "Run pays a sheet.", cli.Long(texts, "run"))
	assert.Panics(t, func() { cli.Long(texts, "nope") }, "a help file missing from the build")
}

func TestLinksRefusalSaysWhatToConfigure(t *testing.T) {
	t.Parallel()
	err := cli.LinksRefusal(fmt.Errorf("links: %w", door.ErrNoMessenger))
	assert.Contains(t, err.Error(), "add the config's sms section")
	assert.Contains(t, err.Error(), "nothing was sent")
	err = cli.LinksRefusal(door.ErrNoPublicURL)
	require.ErrorIs(t, err, cli.ErrUsage)
	assert.Contains(t, err.Error(), "--public-url")
	other := errors.New("ledger gone")
	assert.Equal(t, other, cli.LinksRefusal(other))
	assert.NoError(t, cli.LinksRefusal(nil))
}

func TestLedgerThere(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "bulkpay.db")
	cfg := config.Default()
	assert.False(t, cli.Globals{DB: db}.LedgerThere(cfg), "no file yet")
	require.NoError(t, os.WriteFile(db, nil, 0o600))
	assert.True(t, cli.Globals{DB: db}.LedgerThere(cfg))
	assert.True(t, cli.Globals{DB: "postgres://bulkpay@db.example/bulkpay"}.LedgerThere(cfg), "a database server is there")
}
