package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/notify"
	"bulkpay/notify/linktext"
)

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}, pool
}

// received is one message the test server accepted, or got as far as.
type received struct {
	From, To  string
	Data      string
	TLS, Auth bool
}

// smtpServer is the smallest SMTP server the client needs: EHLO, STARTTLS,
// AUTH PLAIN, MAIL, RCPT, DATA, QUIT, on 127.0.0.1.
type smtpServer struct {
	addr     string
	cert     tls.Certificate
	noTLS    bool   // offers no STARTTLS
	implicit bool   // TLS from the start, as on port 465
	rcpt     string // the reply to RCPT; "250 ok" when empty
	dropData bool   // reads the data, then hangs up without answering
	user     string
	pass     string

	mu    sync.Mutex
	got   []received
	auths int // AUTH commands seen
	conns int
}

func startSMTP(t *testing.T, s *smtpServer) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.addr = ln.Addr().String()
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(10 * time.Second)) // a bound, never asserted
				s.serve(conn)
			}()
		}
	}()
	return s
}

func (s *smtpServer) serve(conn net.Conn) {
	s.mu.Lock()
	s.conns++
	s.mu.Unlock()
	var cur received
	if s.implicit {
		tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{s.cert}})
		if tc.Handshake() != nil {
			return
		}
		conn, cur = tc, received{TLS: true}
	}
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 test ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"250-test"}
			if !s.noTLS && !cur.TLS {
				ext = append(ext, "250-STARTTLS")
			}
			ext = append(ext, "250-AUTH PLAIN", "250 8BITMIME")
			tp.PrintfLine("%s", strings.Join(ext, "\r\n"))
		case "STARTTLS":
			tp.PrintfLine("220 go ahead")
			tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{s.cert}})
			if tc.Handshake() != nil {
				return
			}
			conn, tp = tc, textproto.NewConn(tc)
			cur = received{TLS: true}
		case "AUTH":
			s.mu.Lock()
			s.auths++
			s.mu.Unlock()
			_, b64, _ := strings.Cut(arg, " ")
			raw, _ := base64.StdEncoding.DecodeString(b64)
			if string(raw) == "\x00"+s.user+"\x00"+s.pass {
				cur.Auth = true
				tp.PrintfLine("235 ok")
			} else {
				tp.PrintfLine("535 5.7.8 authentication failed")
			}
		case "MAIL":
			cur.From = arg
			tp.PrintfLine("250 ok")
		case "RCPT":
			cur.To = arg
			if s.rcpt != "" {
				tp.PrintfLine("%s", s.rcpt)
				continue
			}
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 send it")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			cur.Data = string(data)
			s.mu.Lock()
			s.got = append(s.got, cur)
			s.mu.Unlock()
			if s.dropData {
				return
			}
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("250 ok")
		}
	}
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

const (
	smtpUser = "paie@example.cm"
	smtpPass = "s3cret-smtp-password"
)

func TestSendEmailOverSTARTTLS(t *testing.T) {
	t.Parallel()
	cert, pool := selfSigned(t)
	srv := startSMTP(t, &smtpServer{cert: cert, user: smtpUser, pass: smtpPass})
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	s, err := notify.NewSMTP(srv.addr, "Fondation Éducation <paie@example.cm>", notify.WithSMTPAuth(smtpUser, smtpPass),
		notify.WithTLSConfig(&tls.Config{RootCAs: pool}), notify.WithSMTPClock(func() time.Time { return now }))
	require.NoError(t, err)
	subject, text := linktext.LinkEmail("fr", "Fondation Éducation", 25000, "XAF", "https://pay.example.cm/claim/x1", now.Add(7*24*time.Hour))
	text += "\n.a line starting with a dot\nLigne très longue " + strings.Repeat("é", 100) + "\n"
	require.NoError(t, s.SendEmail(context.Background(), notify.EmailMessage{To: "Awa Ndiaye <awa@example.cm>", Subject: subject, Text: text}))

	got := srv.received()
	require.Len(t, got, 1)
	assert.True(t, got[0].TLS, "STARTTLS before anything else")
	assert.True(t, got[0].Auth)
	assert.True(t, strings.HasPrefix(got[0].From, "FROM:<paie@example.cm>"), got[0].From)
	assert.Equal(t, "TO:<awa@example.cm>", got[0].To)

	msg, err := mail.ReadMessage(strings.NewReader(got[0].Data))
	require.NoError(t, err)
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, "Fondation Éducation vous envoie 25 000 FCFA", subj)
	from, err := msg.Header.AddressList("From")
	require.NoError(t, err)
	assert.Equal(t, []*mail.Address{{Name: "Fondation Éducation", Address: "paie@example.cm"}}, from)
	to, err := msg.Header.AddressList("To")
	require.NoError(t, err)
	assert.Equal(t, []*mail.Address{{Name: "Awa Ndiaye", Address: "awa@example.cm"}}, to)
	assert.Equal(t, "Tue, 24 Nov 2026 09:00:00 +0000", msg.Header.Get("Date"))
	assert.Equal(t, "text/plain; charset=UTF-8", msg.Header.Get("Content-Type"))
	assert.Regexp(t, `^<[0-9a-f]{32}@example\.cm>$`, msg.Header.Get("Message-ID"))
	// (the server's dot reader turned the wire's CRLF into LF)
	for _, line := range strings.Split(got[0].Data, "\n") {
		assert.LessOrEqual(t, len(line), 78, "no line longer than RFC 5322 advises")
		for _, r := range line {
			assert.Less(t, r, rune(128), "7-bit on the wire")
		}
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	assert.Equal(t, text, strings.ReplaceAll(string(body), "\r\n", "\n"))
}

func TestSendEmailRefusesToSendInClear(t *testing.T) {
	t.Parallel()
	cert, _ := selfSigned(t)
	srv := startSMTP(t, &smtpServer{cert: cert, noTLS: true, user: smtpUser, pass: smtpPass})
	s, err := notify.NewSMTP(srv.addr, "paie@example.cm", notify.WithSMTPAuth(smtpUser, smtpPass))
	require.NoError(t, err)
	err = s.SendEmail(context.Background(), notify.EmailMessage{To: "awa@example.cm", Subject: "s", Text: "t"})
	require.ErrorIs(t, err, notify.ErrRefused)
	assert.Contains(t, err.Error(), "STARTTLS")
	assert.Empty(t, srv.received())
	assert.Zero(t, srv.auths, "the password was never sent")

	// a local server explicitly allowed to go without
	local, err := notify.NewSMTP(srv.addr, "paie@example.cm", notify.WithSMTPAuth(smtpUser, smtpPass), notify.WithPlainLocal())
	require.NoError(t, err)
	require.NoError(t, local.SendEmail(context.Background(), notify.EmailMessage{To: "awa@example.cm", Subject: "s", Text: "t"}))
	assert.Len(t, srv.received(), 1)

	// and never one elsewhere
	_, err = notify.NewSMTP("smtp.example.cm:587", "paie@example.cm", notify.WithPlainLocal())
	assert.ErrorContains(t, err, "only on this machine")
}

func TestSendEmailFailures(t *testing.T) {
	t.Parallel()
	cert, pool := selfSigned(t)
	trusted := notify.WithTLSConfig(&tls.Config{RootCAs: pool})
	tests := []struct {
		name     string
		server   func() *smtpServer
		opts     []notify.SMTPOption
		class    error
		says     string
		received int
	}{
		{"wrong password", func() *smtpServer { return &smtpServer{pass: "other"} }, []notify.SMTPOption{trusted}, notify.ErrRefused, "535", 0},
		{"certificate not trusted", func() *smtpServer { return &smtpServer{} }, nil, notify.ErrRefused, "certificate", 0},
		{"mailbox unknown", func() *smtpServer { return &smtpServer{rcpt: "550 5.1.1 no such user"} }, []notify.SMTPOption{trusted}, notify.ErrRefused, "no such user", 0},
		{"mailbox busy", func() *smtpServer { return &smtpServer{rcpt: "451 4.3.0 try later"} }, []notify.SMTPOption{trusted}, notify.ErrNotSent, "try later", 0},
		{"answer lost after the data", func() *smtpServer { return &smtpServer{dropData: true} }, []notify.SMTPOption{trusted}, notify.ErrMaybeSent, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.server()
			cfg.cert, cfg.user = cert, smtpUser
			if cfg.pass == "" {
				cfg.pass = smtpPass
			}
			srv := startSMTP(t, cfg)
			s, err := notify.NewSMTP(srv.addr, "paie@example.cm", append(tt.opts, notify.WithSMTPAuth(smtpUser, smtpPass))...)
			require.NoError(t, err)
			err = s.SendEmail(context.Background(), notify.EmailMessage{To: "awa@example.cm", Subject: "s", Text: "t"})
			require.Error(t, err)
			assert.Equal(t, tt.class, notify.Class(err), err.Error())
			assert.Contains(t, err.Error(), tt.says)
			assert.NotContains(t, err.Error(), smtpPass)
			assert.Len(t, srv.received(), tt.received)
			if tt.name == "certificate not trusted" {
				assert.Zero(t, srv.auths, "no password to a server not trusted")
			}
		})
	}
}

func TestSendEmailRefusedBeforeConnecting(t *testing.T) {
	t.Parallel()
	cert, pool := selfSigned(t)
	srv := startSMTP(t, &smtpServer{cert: cert})
	s, err := notify.NewSMTP(srv.addr, "paie@example.cm", notify.WithTLSConfig(&tls.Config{RootCAs: pool}))
	require.NoError(t, err)
	for _, m := range []notify.EmailMessage{
		{To: "not an address", Subject: "s", Text: "t"},
		{To: "awa@example.cm", Subject: "s\r\nBcc: all@example.cm", Text: "t"},
		{To: "awa@example.cm", Subject: "s", Text: "  "},
	} {
		err := s.SendEmail(context.Background(), m)
		assert.ErrorIs(t, err, notify.ErrRefused, fmt.Sprint(m))
	}
	assert.Zero(t, srv.conns)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	gone, err := notify.NewSMTP(addr, "paie@example.cm")
	require.NoError(t, err)
	err = gone.SendEmail(context.Background(), notify.EmailMessage{To: "awa@example.cm", Subject: "s", Text: "t"})
	assert.ErrorIs(t, err, notify.ErrNotSent)

	for _, bad := range [][2]string{{"smtp.example.cm", "paie@example.cm"}, {"smtp.example.cm:587", "paie"}} {
		_, err := notify.NewSMTP(bad[0], bad[1])
		assert.Error(t, err, bad)
	}
}

func TestSendEmailOverImplicitTLS(t *testing.T) {
	t.Parallel()
	cert, pool := selfSigned(t)
	srv := startSMTP(t, &smtpServer{cert: cert, implicit: true, user: smtpUser, pass: smtpPass})
	s, err := notify.NewSMTP(srv.addr, "paie@example.cm", notify.WithImplicitTLS(), notify.WithSMTPAuth(smtpUser, smtpPass),
		notify.WithTLSConfig(&tls.Config{RootCAs: pool}))
	require.NoError(t, err)
	require.NoError(t, s.SendEmail(context.Background(), notify.EmailMessage{To: "awa@example.cm", Subject: "s", Text: "t"}))
	got := srv.received()
	require.Len(t, got, 1)
	assert.True(t, got[0].TLS)
	assert.True(t, got[0].Auth)

	untrusted, err := notify.NewSMTP(srv.addr, "paie@example.cm", notify.WithImplicitTLS(), notify.WithSMTPAuth(smtpUser, smtpPass))
	require.NoError(t, err)
	err = untrusted.SendEmail(context.Background(), notify.EmailMessage{To: "awa@example.cm", Subject: "s", Text: "t"})
	assert.ErrorIs(t, err, notify.ErrRefused)
	assert.Contains(t, err.Error(), "certificate")
	assert.Len(t, srv.received(), 1)
}
