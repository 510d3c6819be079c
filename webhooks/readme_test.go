package webhooks_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/webhooks"
)

// readmeBlock returns the README's first fenced block of lang that holds marker.
func readmeBlock(t *testing.T, lang, marker string) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for _, part := range strings.Split(string(readme), "```"+lang+"\n")[1:] {
		block, _, ok := strings.Cut(part, "```")
		if ok && strings.Contains(block, marker) {
			return block
		}
	}
	t.Fatalf("no %s block with %q in the README", lang, marker)
	return ""
}

// TestREADMEGoSnippetIsTheTestedCheck: the Go snippet is VerifySignature as
// this package has it, and that function accepts what bulkpay signs and
// nothing else.
func TestREADMEGoSnippetIsTheTestedCheck(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("sign.go")
	require.NoError(t, err)
	i := bytes.Index(src, []byte("func VerifySignature"))
	require.GreaterOrEqual(t, i, 0)
	j := bytes.Index(src[i:], []byte("\n}\n"))
	assert.Contains(t, readmeBlock(t, "go", "func VerifySignature"), string(src[i:i+j+2]))

	secret, body := []byte("shared-secret-0123456789"), []byte(`{"id":"evt_1","type":"item.failed"}`)
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC).Unix()
	sig := webhooks.Signature(secret, now, body)
	for _, c := range []struct {
		name   string
		secret []byte
		header string
		body   []byte
		now    int64
		want   bool
	}{
		{"genuine", secret, sig, body, now, true},
		{"received 5 minutes later", secret, sig, body, now + 300, true},
		{"too late", secret, sig, body, now + 301, false},
		{"from the future", secret, sig, body, now - 301, false},
		{"body changed", secret, sig, []byte(`{"id":"evt_1","type":"item.succeeded"}`), now, false},
		{"another secret", []byte("another-secret-0123456"), sig, body, now, false},
		{"time changed", secret, strings.Replace(sig, "t="+strconv.FormatInt(now, 10), "t="+strconv.FormatInt(now+1, 10), 1), body, now, false},
		{"a second v1 that matches (secret rotation)", secret, "t=" + strconv.FormatInt(now, 10) + ",v1=00ff," + sig[strings.Index(sig, "v1="):], body, now, true},
		{"no signature", secret, "t=" + strconv.FormatInt(now, 10), body, now, false},
		{"empty", secret, "", body, now, false},
	} {
		assert.Equal(t, c.want, webhooks.VerifySignature(c.secret, c.header, c.body, c.now, 300), c.name)
	}
	assert.NoError(t, webhooks.Verify(secret, sig, body, time.Unix(now, 0), 5*time.Minute))
	assert.ErrorIs(t, webhooks.Verify(secret, sig, body, time.Unix(now+3600, 0), 5*time.Minute), webhooks.ErrSignature)
}

// TestREADMEShellSnippetVerifies runs the README's openssl snippet on what
// bulkpay signs.
func TestREADMEShellSnippetVerifies(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	snippet := readmeBlock(t, "sh", "openssl dgst")
	secret := "shared-secret-0123456789"
	body := []byte("{\"id\":\"evt_1\",\"type\":\"item.failed\",\"object\":{\"reference\":\"r é\"}}\n")
	const now = 1795000000
	run := func(sig string, body []byte, at int) (string, int) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "body.json"), body, 0o600))
		cmd := exec.Command("sh", "-c", snippet)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "SIG=" + sig, "HR_WEBHOOK_SECRET=" + secret, "NOW=" + strconv.Itoa(at)}
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err, string(out))
		}
		return strings.TrimSpace(string(out)), code
	}
	sig := webhooks.Signature([]byte(secret), now, body)
	out, code := run(sig, body, now+10)
	assert.Equal(t, "verified", out)
	assert.Zero(t, code)
	out, code = run(sig, append([]byte(" "), body...), now)
	assert.Equal(t, "REFUSED", out, "a changed body")
	assert.Equal(t, 1, code)
	out, _ = run(sig, body, now+301)
	assert.Equal(t, "REFUSED", out, "too old")
	out, _ = run(webhooks.Signature([]byte("another-secret-0123456"), now, body), body, now)
	assert.Equal(t, "REFUSED", out, "another secret")
	out, _ = run("t=x[$(echo pwned >&2)],v1=00", body, now)
	assert.Equal(t, "REFUSED", out, "a forged t is never evaluated")
}

// FuzzVerifySignature: any header and body are answered without a panic, and
// only a header bulkpay signed for that body verifies.
func FuzzVerifySignature(f *testing.F) {
	secret := []byte("shared-secret-0123456789")
	f.Add("t=1795000000,v1=00", []byte("{}"))
	f.Add(webhooks.Signature(secret, 1795000000, []byte(`{"id":"evt_1"}`)), []byte(`{"id":"evt_1"}`))
	f.Add("t=-1,v1=,v1=zz,t=", []byte(nil))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		got := webhooks.VerifySignature(secret, header, body, 1795000000, 300)
		if got && !strings.Contains(header, webhooks.Signature(secret, 1795000000, body)[len("t=1795000000,"):]) {
			// a header that verifies holds the v1 of some t within tolerance
			for dt := int64(-300); dt <= 300; dt++ {
				if strings.Contains(header, webhooks.Signature(secret, 1795000000+dt, body)[len("t=1795000000,"):]) {
					return
				}
			}
			t.Fatalf("%q verifies for %q without bulkpay's signature", header, body)
		}
	})
}
