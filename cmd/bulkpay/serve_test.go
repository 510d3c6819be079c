package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"bulkpay/identity"
	"bulkpay/internal/cli"
	"bulkpay/ledger"

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

	st, err := ledger.Open(context.Background(), filepath.Join(dir, "bulkpay.db"))
	require.NoError(t, err)
	defer st.Close()
	trail, err := st.Audit(context.Background(), 10)
	require.NoError(t, err)
	require.Len(t, trail, 2, "the add and the disable, not what was refused")
	assert.Equal(t, identity.AuditEntry{At: trail[0].At, Actor: cli.Login(), Action: identity.AuditUserDisabled, Subject: "awa"}, trail[0])
	assert.Equal(t, identity.AuditEntry{At: trail[1].At, Actor: cli.Login(), Action: identity.AuditUserAdded, Subject: "awa", Detail: "initiator"}, trail[1])
}

var servingRE = regexp.MustCompile(`serving bulkpay on (https?://127\.0\.0\.1:\d+)`)

// serving starts `bulkpay serve args...` in dir and reads the URL it serves
// on, and the line that says it.
func serving(t *testing.T, dir string, args ...string) (*proc, string, string) {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	p := start(t, dir, nil, pw, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	lines := bufio.NewScanner(pr)
	var url string
	for url == "" && lines.Scan() {
		if m := servingRE.FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
		}
	}
	require.NotEmpty(t, url, "the address it serves on")
	line := lines.Text()
	go io.Copy(io.Discard, pr)
	return p, url, line
}

// TestServeAnswersThenStopsOnSIGTERM starts the web app on the built-in
// sandbox, signs nobody in, and stops it with SIGTERM: it exits 0.
func TestServeAnswersThenStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p, url, line := serving(t, dir)
	assert.True(t, strings.HasPrefix(url, "http://"))
	assert.Contains(t, line, "SANDBOX")
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
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// (PEM) in dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bulkpay test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600))
	return certFile, keyFile, pool
}

// TestServeOverTLS serves with a self-signed certificate: a sign-in over
// https works, its cookies are Secure, and every answer asks for HTTPS
// (Strict-Transport-Security).
func TestServeOverTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	r := bulkpayStdin(t, dir, "a good long password\n", "users", "add", "awa", "--role", "initiator")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	p, base, _ := serving(t, dir, "--tls-cert", certFile, "--tls-key", keyFile)
	require.True(t, strings.HasPrefix(base, "https://127.0.0.1:"), base)

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/login")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotNil(t, resp.TLS, "answered over TLS")
	assert.Equal(t, "max-age=31536000", resp.Header.Get("Strict-Transport-Security"))
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	require.NotNil(t, csrf, string(page))
	checkSecure := func(resp *http.Response, names ...string) {
		t.Helper()
		got := map[string]bool{}
		for _, ck := range resp.Cookies() {
			got[ck.Name] = true
			assert.True(t, ck.Secure, "cookie %s is Secure", ck.Name)
			assert.True(t, ck.HttpOnly, "cookie %s is HttpOnly", ck.Name)
		}
		for _, n := range names {
			assert.True(t, got[n], "cookie %s set", n)
		}
	}
	checkSecure(resp, "bp_login")

	resp, err = c.PostForm(base+"/login", url.Values{"csrf": {string(csrf[1])}, "name": {"awa"}, "password": {"a good long password"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "signed in")
	checkSecure(resp, "bp_session")
	assert.Equal(t, "max-age=31536000", resp.Header.Get("Strict-Transport-Security"))
	resp, err = c.Get(base + "/")
	require.NoError(t, err)
	home, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(home), "awa (initiator)")

	resp, err = http.Get("http://" + strings.TrimPrefix(base, "https://") + "/healthz")
	if err == nil {
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "no answer in clear on the TLS port")
	}
	require.NoError(t, p.Process.Signal(syscall.SIGTERM))
	assert.NoError(t, p.wait())
}

func TestServeRefusesAPlainRemoteAddress(t *testing.T) {
	t.Parallel()
	r := bulkpay(t, t.TempDir(), "serve", "--addr", "0.0.0.0:0")
	assert.Equal(t, cli.ExitInvalid, r.code)
	assert.Contains(t, r.stderr, "--behind-proxy")
	r = bulkpay(t, t.TempDir(), "serve", "--tls-cert", "x.pem")
	assert.Equal(t, cli.ExitInvalid, r.code, "--tls-cert needs --tls-key")
}
