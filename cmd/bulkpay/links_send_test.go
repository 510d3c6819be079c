package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// recorder is a Messenger that keeps what it is asked to send; down makes
// every SMS fail.
type recorder struct {
	mu   sync.Mutex
	sms  []string
	down bool
}

func (r *recorder) SendSMS(ctx context.Context, to, text, ref string) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		return 0, errors.New("sms provider unreachable")
	}
	r.sms = append(r.sms, to+" "+text)
	return 12, nil
}

func (r *recorder) SendEmail(ctx context.Context, to, subject, text, ref string) error { return nil }

// runIn runs the command line in this process with messenger m, in dir.
func runIn(t *testing.T, m *recorder, args ...string) (string, string, error) {
	t.Helper()
	a := newApp()
	if m != nil {
		a.messenger = m
	}
	var out, errw bytes.Buffer
	a.stdout, a.stderr = &out, &errw
	root := newRoot(a)
	root.SetOut(&out)
	root.SetErr(&errw)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errw.String(), err
}

// plannedByLink plans reference.csv, Awa and Paul paid by link, under a
// bulkpay.yaml holding config: the ledger's path and the config's.
func plannedByLink(t *testing.T, reference, config string) (db, cfg string) {
	t.Helper()
	dir := t.TempDir()
	db, cfg = filepath.Join(dir, "l.db"), filepath.Join(dir, "bulkpay.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(config), 0o600))
	sheetPath := filepath.Join(dir, reference+".csv")
	require.NoError(t, os.WriteFile(sheetPath, []byte("Nom;Téléphone;Montant\nAwa;677100001;5000\nPaul;677100002;7000\n"), 0o600))
	_, stderr, err := runIn(t, nil, "plan", sheetPath, "--pay-by", "link", "--db", db, "--config", cfg)
	require.NoError(t, err, stderr)
	return db, cfg
}

// TestLinksSendFromTheCommandLine sends a batch's invitations through the
// messenger bulkpay is built with: once each, in the config's language, each
// SMS charged by sms_fee; a message that cannot be sent makes it unfinished
// and is sent by the next --send.
func TestLinksSendFromTheCommandLine(t *testing.T) {
	t.Parallel()
	db, cfg := plannedByLink(t, "send-2026-11", "organisation: Acme SARL\nlanguage: fr\nlink_reminders: [3d, 1d]\n"+
		"profit_configurations:\n  - {name: sms_fee, fee: 25}\n")

	m := &recorder{down: true}
	_, stderr, err := runIn(t, m, "links", "send-2026-11", "--send", "--public-url", "https://pay.example.org", "--db", db, "--config", cfg)
	require.Error(t, err, "unfinished: nothing could be sent")
	assert.Contains(t, stderr, "0 invitation(s) and 0 reminder(s) sent", "the count says nothing left")
	assert.Contains(t, err.Error(), "2 message(s) could not be sent")
	m.down = false
	stdout, stderr, err := runIn(t, m, "links", "send-2026-11", "--send", "--public-url", "https://pay.example.org", "--db", db, "--config", cfg)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "2 invitation(s) and 0 reminder(s) sent: 2 message(s), charged 50 XAF")
	require.Len(t, m.sms, 2)
	assert.True(t, strings.HasPrefix(m.sms[0], "+237677100001 Acme SARL vous envoie 5 000 FCFA. Réclamez-le: https://pay.example.org/claim/"), m.sms[0])
	assert.Contains(t, m.sms[0], "https://pay.example.org/claim/")
	assert.Contains(t, stdout, "messages: 2 sent, cost 24 XAF, charged 50 XAF (sms_fee); 2 could not be sent")
	assert.Contains(t, stdout, "batch charge: 50 XAF (payout fees 0 + messages 50)")

	_, _, err = runIn(t, m, "links", "send-2026-11", "--send", "--public-url", "https://pay.example.org", "--db", db, "--config", cfg)
	require.NoError(t, err)
	assert.Len(t, m.sms, 2, "each invitation once")
	_, _, err = runIn(t, m, "links", "send-2026-11", "--send", "--db", db)
	assert.ErrorContains(t, err, "public_url")
}

// TestLinksSendThroughTheSandbox sends a batch's invitations as SMS through
// a running sandbox (links --send --sandbox URL): they are at its
// /_sandbox/messages, one per beneficiary, with the claim link and never a
// code.
func TestLinksSendThroughTheSandbox(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Sandbox(t, sandbox.Options{})
	root := sandboxtest.Serve(t, srv, srv)
	db, cfg := plannedByLink(t, "sms-2026-11", "organisation: Acme SARL\nlanguage: en\n"+
		"profit_configurations:\n  - {name: sms_fee, fee: 25}\n")

	_, _, err := runIn(t, nil, "links", "sms-2026-11", "--send", "--db", db, "--config", cfg)
	require.ErrorContains(t, err, "no SMS provider is configured", "no sms section, no sandbox: nothing sent")
	_, stderr, err := runIn(t, nil, "links", "sms-2026-11", "--send", "--sandbox", root, "--public-url", "https://pay.example.org",
		"--db", db, "--config", cfg)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "2 invitation(s) and 0 reminder(s) sent")
	for _, to := range []string{"+237677100001", "+237677100002"} {
		got := sandboxtest.Delivered(t, root, to)
		require.Len(t, got, 1, to)
		assert.Contains(t, got[0], "https://pay.example.org/claim/")
		assert.Contains(t, got[0], "Acme SARL")
	}
	_, _, err = runIn(t, nil, "links", "sms-2026-11", "--send", "--sandbox", root, "--public-url", "https://pay.example.org",
		"--db", db, "--config", cfg)
	require.NoError(t, err)
	assert.Len(t, sandboxtest.Messages(t, root, ""), 2, "each invitation once")
}
