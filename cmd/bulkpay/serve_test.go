package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"bulkpay/internal/cli"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bulkpayStdin runs the binary in dir with stdin, within a time limit.
func bulkpayStdin(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return result{code: ee.ExitCode(), stdout: out.String(), stderr: errb.String()}
	}
	require.NoError(t, err)
	return result{stdout: out.String(), stderr: errb.String()}
}

func TestUsersAddListDisablePasswdKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := bulkpayStdin(t, dir, "a good long password\n", "users", "add", "awa", "--role", "initiator")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "user awa added (initiator)")
	r = bulkpayStdin(t, dir, "short\n", "users", "add", "bob", "--role", "approver")
	assert.Equal(t, cli.ExitInvalid, r.code, "a password too short")
	r = bulkpayStdin(t, dir, "a good long password\n", "users", "add", "Bob", "--role", "approver")
	assert.Equal(t, cli.ExitInvalid, r.code, "names are lower case: four-eyes compares them")
	r = bulkpayStdin(t, dir, "a good long password\n", "users", "add", "bob", "--role", "boss")
	assert.Equal(t, cli.ExitInvalid, r.code)
	r = bulkpayStdin(t, dir, "another long password\n", "users", "add", "awa", "--role", "approver")
	assert.Equal(t, cli.ExitError, r.code, "a name is taken once")
	assert.Contains(t, r.stderr, "exists")
	r = bulkpayStdin(t, dir, "", "users", "add", "bob", "--role", "approver", "--password", "x")
	assert.Equal(t, cli.ExitInvalid, r.code, "no password in argv")
	r = bulkpayStdin(t, dir, "", "users", "remove", "awa")
	assert.Equal(t, cli.ExitInvalid, r.code, "an unknown subcommand")

	r = bulkpayStdin(t, dir, "", "users", "key", "awa")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	key := strings.TrimSpace(r.stdout)
	assert.Regexp(t, `^bpk_[A-Za-z0-9_-]{43}$`, key)
	assert.NotContains(t, r.stderr, key, "printed once")
	r2 := bulkpayStdin(t, dir, "", "users", "key", "awa")
	assert.NotEqual(t, key, strings.TrimSpace(r2.stdout))

	r = bulkpayStdin(t, dir, "a new long password\n", "users", "passwd", "awa")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	r = bulkpayStdin(t, dir, "a new long password\n", "users", "passwd", "nobody")
	assert.NotEqual(t, cli.ExitOK, r.code)
	r = bulkpayStdin(t, dir, "", "users", "disable", "awa")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	r = bulkpayStdin(t, dir, "", "users", "list")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	assert.Regexp(t, `awa\s+initiator\s+disabled`, r.stdout)
	assert.NotContains(t, r.stdout, "argon2id", "no hash is shown")
	assert.NotContains(t, r.stdout, "password")
}

var servingRE = regexp.MustCompile(`serving bulkpay on (http://127\.0\.0\.1:\d+)`)

// TestServeAnswersThenStopsOnSIGTERM starts the web app on the built-in
// sandbox, signs nobody in, and stops it with SIGTERM: it exits 0.
func TestServeAnswersThenStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pr, pw := io.Pipe()
	p := start(t, dir, nil, pw, "serve", "--addr", "127.0.0.1:0")
	lines := bufio.NewScanner(pr)
	var url string
	for url == "" && lines.Scan() {
		if m := servingRE.FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
		}
	}
	require.NotEmpty(t, url, "the address it serves on")
	assert.Contains(t, lines.Text(), "SANDBOX")
	go io.Copy(io.Discard, pr)
	resp, err := http.Get(url + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Get(url + "/login")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), "SANDBOX")
	require.NoError(t, p.Process.Signal(syscall.SIGTERM))
	assert.NoError(t, p.wait(), "SIGTERM stops it cleanly")
	pw.Close()
}

func TestServeRefusesAPlainRemoteAddress(t *testing.T) {
	t.Parallel()
	r := bulkpay(t, t.TempDir(), "serve", "--addr", "0.0.0.0:0")
	assert.Equal(t, cli.ExitInvalid, r.code)
	assert.Contains(t, r.stderr, "--behind-proxy")
	r = bulkpay(t, t.TempDir(), "serve", "--tls-cert", "x.pem")
	assert.Equal(t, cli.ExitInvalid, r.code, "--tls-cert needs --tls-key")
}
