package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

var _ Email = (*SMTP)(nil)

// SMTP sends e-mail through one SMTP server, always over TLS: STARTTLS on a
// submission port (587), or TLS from the start on port 465. Credentials and
// the beneficiaries' links never cross the network in clear. Safe for concurrent use: each message has its own
// connection.
type SMTP struct {
	addr, host         string
	from               mail.Address
	username, password string
	tls                *tls.Config
	plainLocal         bool
	implicitTLS        bool
	timeout            time.Duration
	now                func() time.Time
}

// SMTPOption configures an SMTP sender.
type SMTPOption func(*SMTP)

// WithSMTPAuth sets the account the server is logged in to with (AUTH PLAIN,
// only ever sent after STARTTLS).
func WithSMTPAuth(username, password string) SMTPOption {
	return func(s *SMTP) { s.username, s.password = username, password }
}

// WithTLSConfig sets the TLS configuration of STARTTLS (the certificates
// trusted, for a server with its own authority); the server name is filled in.
func WithTLSConfig(c *tls.Config) SMTPOption { return func(s *SMTP) { s.tls = c.Clone() } }

// WithPlainLocal allows a server on this machine (localhost, 127.0.0.1, ::1)
// that offers no STARTTLS, such as a test server or a local relay. It is
// refused for any other server.
func WithPlainLocal() SMTPOption { return func(s *SMTP) { s.plainLocal = true } }

// WithImplicitTLS speaks TLS from the start (RFC 8314), as servers do on port
// 465, which gets it without this option.
func WithImplicitTLS() SMTPOption { return func(s *SMTP) { s.implicitTLS = true } }

// WithSMTPTimeout bounds one message's whole exchange when the context sets
// no deadline; 30s unless set.
func WithSMTPTimeout(d time.Duration) SMTPOption { return func(s *SMTP) { s.timeout = d } }

// WithSMTPClock sets the clock of the Date header (tests).
func WithSMTPClock(now func() time.Time) SMTPOption { return func(s *SMTP) { s.now = now } }

// NewSMTP returns a sender through the server at addr (host:port) writing
// from from ("bulkpay <paie@example.cm>", accents allowed in the name).
func NewSMTP(addr, from string, opts ...SMTPOption) (*SMTP, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("smtp_addr %q: give the server as host:port, e.g. smtp.example.cm:587", addr)
	}
	f, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("from %q is not an e-mail address: give it as \"Name <paie@example.cm>\" or paie@example.cm", from)
	}
	_, port, _ := net.SplitHostPort(addr)
	s := &SMTP{addr: addr, host: host, from: *f, timeout: 30 * time.Second, now: time.Now, implicitTLS: port == "465"}
	for _, o := range opts {
		o(s)
	}
	if s.plainLocal && !loopback(host) {
		return nil, fmt.Errorf("smtp_addr %s: a server without STARTTLS is allowed only on this machine (localhost, 127.0.0.1, ::1)", addr)
	}
	if s.tls == nil {
		s.tls = &tls.Config{}
	}
	s.tls.ServerName = host
	s.tls.MinVersion = max(s.tls.MinVersion, tls.VersionTLS12)
	return s, nil
}

// loopback reports whether host names this machine only.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SendEmail implements Email. Its error says whether the message may have
// been delivered: nothing is, until the server accepts the end of the data;
// a connection lost then is ErrMaybeSent.
func (s *SMTP) SendEmail(ctx context.Context, m EmailMessage) error {
	to, msg, err := s.compose(m)
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	conn, err := s.dial(ctx)
	if err != nil {
		var cv *tls.CertificateVerificationError
		if errors.As(err, &cv) {
			return s.fail(ErrRefused, "connect", 0, "the server's certificate was refused: nothing was sent, no password either", err)
		}
		return s.fail(ErrNotSent, "connect", 0, "", err)
	}
	_, implicit := conn.(*tls.Conn)
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return s.fail(ErrNotSent, "greeting", 0, "", err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return s.reply("hello", err, ErrNotSent)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !implicit {
		if err := c.StartTLS(s.tls); err != nil {
			var cv *tls.CertificateVerificationError
			var ua x509.UnknownAuthorityError
			if errors.As(err, &cv) || errors.As(err, &ua) {
				return s.fail(ErrRefused, "starttls", 0, "the server's certificate was refused: nothing was sent, no password either", err)
			}
			return s.reply("starttls", err, ErrNotSent)
		}
	} else if !implicit && !s.plainLocal {
		return s.fail(ErrRefused, "starttls", 0, "the server offers no STARTTLS: bulkpay does not send passwords or beneficiaries' messages unencrypted; use the server's submission port (587)", nil)
	}
	if s.username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.username, s.password, s.host)); err != nil {
			return s.reply("auth", err, ErrNotSent)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return s.reply("mail", err, ErrNotSent)
	}
	if err := c.Rcpt(to); err != nil {
		return s.reply("rcpt", err, ErrNotSent)
	}
	w, err := c.Data()
	if err != nil {
		return s.reply("data", err, ErrNotSent)
	}
	if _, err := w.Write(msg); err != nil {
		return s.fail(ErrNotSent, "data", 0, "", err) // the end of the data was never sent
	}
	if err := w.Close(); err != nil {
		// the server answers the end of the data: a refusal is definite, a
		// lost answer leaves the message perhaps delivered
		return s.reply("data", err, ErrMaybeSent)
	}
	c.Quit() // the message is accepted; a failed goodbye changes nothing
	return nil
}

// dial connects to the server: over TLS from the start for implicit TLS,
// else in clear until STARTTLS.
func (s *SMTP) dial(ctx context.Context) (net.Conn, error) {
	if s.implicitTLS {
		return (&tls.Dialer{Config: s.tls}).DialContext(ctx, "tcp", s.addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", s.addr)
}

// reply classifies an SMTP failure: a 5xx reply is a refusal, a 4xx one a
// temporary failure (not sent), anything else (the connection lost) is
// otherwise.
func (s *SMTP) reply(op string, err error, otherwise error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		class := ErrNotSent
		if te.Code >= 500 {
			class = ErrRefused
		}
		return s.fail(class, op, te.Code, te.Msg, nil)
	}
	return s.fail(otherwise, op, 0, "", err)
}

func (s *SMTP) fail(class error, op string, status int, msg string, err error) error {
	e := &Error{Class: class, Channel: "email", Provider: s.host, Op: op, Status: status, Message: s.redact(msg), Err: err}
	if err != nil && s.password != "" && strings.Contains(err.Error(), s.password) {
		e.Err = errors.New(s.redact(err.Error()))
	}
	return e
}

func (s *SMTP) redact(t string) string {
	if len(s.password) >= 4 {
		t = strings.ReplaceAll(t, s.password, "{redacted}")
	}
	return t
}

// compose checks m and writes it as a MIME message: headers in RFC 2047 where
// they are not ASCII, the text in UTF-8 quoted-printable with CRLF lines.
func (s *SMTP) compose(m EmailMessage) (string, []byte, error) {
	refuse := func(msg string) (string, []byte, error) {
		return "", nil, &Error{Class: ErrRefused, Channel: "email", Provider: s.host, Op: "compose", Message: msg}
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return refuse(fmt.Sprintf("to %q is not an e-mail address: correct it (awa@example.cm)", m.To))
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return refuse("the subject holds a line break")
	}
	if strings.TrimSpace(m.Text) == "" {
		return refuse("the message has no text")
	}
	id := make([]byte, 16)
	rand.Read(id)
	_, domain, _ := strings.Cut(s.from.Address, "@")
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", s.from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", s.now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(m.Text, "\r\n", "\n")))
	qp.Close()
	return to.Address, b.Bytes(), nil
}
