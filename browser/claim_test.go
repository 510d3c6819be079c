package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowserClaim pays a beneficiary by link in a real browser on a phone's
// screen: a batch paying by link is planned (bulkpay plan --pay-by link) and
// approved through the API by a second person; the server sends the links by
// SMS (the sandbox keeps them), and claim.mjs opens the link, asks for a
// code, enters a wrong one then the right one, chooses mobile money and sees
// the payout paid. The sandbox then holds that payout once, and none for the
// beneficiary who did not claim.
func TestBrowserClaim(t *testing.T) {
	chromium, dir, bin := setUp(t)
	ledger := filepath.Join(dir, "ledger.db")
	bobPassword := addUser(t, dir, bin, ledger, "bob", "approver")

	sb := start(t, dir, bin, regexp.MustCompile(`sandbox listening on (http://\S+)`), "sandbox", "--addr", "127.0.0.1:0", "--settle-delay", "200ms")
	cfg := filepath.Join(dir, "bulkpay.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("poll_interval: 100ms\norganisation: Fondation Espoir\nlink_expiry: 7d\n"), 0o600))
	sheet := filepath.Join(dir, "aid-2026-11.csv")
	require.NoError(t, os.WriteFile(sheet, []byte("Name,Phone,Amount\nAwa Ndiaye,677 12 34 56,25000\nJean Mbarga,699 00 11 22,30000\n"), 0o600))
	plan := exec.Command(bin, "plan", sheet, "--pay-by", "link", "--by", "awa", "--db", ledger, "--config", cfg, "--sandbox", sb.url, "--json")
	plan.Dir = dir
	out, err := plan.Output()
	require.NoError(t, err, "plan: %s", out)

	srv := start(t, dir, bin, regexp.MustCompile(`serving bulkpay on (http://\S+)`),
		"serve", "--addr", "127.0.0.1:0", "--db", ledger, "--config", cfg, "--sandbox", sb.url)

	// bob approves the exact plan through the API: the links go out at once
	hc := &http.Client{Timeout: 30 * time.Second}
	api := func(method, path string, body any) map[string]any {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			require.NoError(t, err)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequest(method, srv.url+path, rd)
		require.NoError(t, err)
		req.SetBasicAuth("bob", bobPassword)
		if method != http.MethodGet {
			req.Header.Set("Idempotency-Key", password(t))
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var v map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
		require.Less(t, resp.StatusCode, 300, "%s %s: %v", method, path, v)
		return v
	}
	bp := api(http.MethodGet, "/payments/bulk_payment/aid-2026-11/", nil)
	api(http.MethodPost, "/payments/bulk_payment/aid-2026-11/approve/", map[string]string{"plan_hash": fmt.Sprint(bp["plan_hash"])})

	shots, err := filepath.Abs("out")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()
	node := exec.CommandContext(ctx, "node", "claim.mjs")
	node.Env = append(os.Environ(), "BULKPAY_URL="+srv.url, "BULKPAY_SANDBOX="+sb.url, "BULKPAY_PHONE=237677123456",
		"BULKPAY_SHOTS="+shots, "CHROMIUM="+chromium)
	node.WaitDelay = 10 * time.Second
	began := time.Now()
	out, err = node.CombinedOutput()
	t.Logf("claim scenario (%s):\n%s", time.Since(began).Round(time.Millisecond), out)
	require.NoError(t, err, "the claim scenario failed (screenshots in %s)", shots)

	assert.Equal(t, map[string][]int64{"237677123456": {25000}}, paidByPhone(t, sb.url), "the claimed link paid once; the other one not")
	assert.NoError(t, srv.stop(), "the server stops cleanly on SIGTERM")
}
