package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPayByLinkFromTheCommandLine plans and runs sheets paid by link through
// the sandbox: a run pays the direct rows only and leaves the links waiting
// (unfinished); links and status show them by status.
func TestPayByLinkFromTheCommandLine(t *testing.T) {
	t.Parallel()
	skipShort(t, 11, "links is kept by TestLinksSendFromTheCommandLine and TestLinksSendThroughTheSandbox, the links rules are batch's and server's")
	url := startSandbox(t)
	dir := t.TempDir()
	sheetPath := filepath.Join(dir, "links-2026-11.csv")
	require.NoError(t, os.WriteFile(sheetPath, []byte("Nom;Téléphone;Montant;Mode\n"+
		"Awa Ndiaye;677100001;5000;lien\nPaul Mbarga;677100002;7000;link\nDirect Payee;677100003;1000;momo\n"), 0o600))

	r := bulkpay(t, dir, "run", sheetPath, "--sandbox", url)
	assert.Equal(t, 4, r.code, "unfinished while links wait: %s", r.stderr)
	assert.Contains(t, r.stderr, "2 payout(s) wait for their link to be claimed: `bulkpay links links-2026-11` lists them")
	assert.Len(t, payouts(t, url), 1, "only the direct row is paid")

	r = bulkpay(t, dir, "links", sheetPath)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Awa Ndiaye")
	assert.Equal(t, 2, strings.Count(r.stdout, "XAF  sent"), r.stdout)
	assert.Contains(t, r.stdout, "links:\n  sent           2  12 000 XAF")

	r = bulkpay(t, dir, "status", "links-2026-11")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "links:")
	assert.Contains(t, r.stdout, "messages: 0 sent")
	r = bulkpay(t, dir, "status", "links-2026-11", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"links":{"counts":{"claimed":0,"expired":0,"processed":0,"sent":2},"amounts":{"claimed":0,"expired":0,"processed":0,"sent":12000},"messages_sent":0`)

	r = bulkpay(t, dir, "links", "links-2026-11", "--expire")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "0 link(s) expired")

	r = bulkpay(t, dir, "links", "links-2026-11", "--send", "--public-url", "https://pay.example.org")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "no SMS provider is configured to send links")

	r = bulkpay(t, dir, "run", sheetPath, "--sandbox", url)
	assert.Equal(t, 4, r.code, r.stderr)
	assert.Len(t, payouts(t, url), 1, "a rerun pays no link not claimed")

	// a whole batch by link
	all := filepath.Join(dir, "bylink-2026-11.csv")
	require.NoError(t, os.WriteFile(all, []byte("Nom;Téléphone;Montant\nA;677200001;1000\nB;677200002;2000\n"), 0o600))
	r = bulkpay(t, dir, "plan", all, "--sandbox", url, "--pay-by", "link")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "2 item(s) paid by link")
	r = bulkpay(t, dir, "links", "bylink-2026-11", "--json", "--status", "sent")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, 2, strings.Count(r.stdout, `"status":"sent"`), r.stdout)

	r = bulkpay(t, dir, "plan", all, "--sandbox", url, "--pay-by", "cash")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "--pay-by link")
}
