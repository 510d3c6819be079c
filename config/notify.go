package config

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"bulkpay/batch"
	"bulkpay/notify"
	"bulkpay/notify/camoosms"
)

// SMSConfig is the `sms:` section: the account messages to beneficiaries
// (claim links, codes, reminders) are sent through. Its secrets are read from
// the environment variables it names.
type SMSConfig struct {
	Provider     string        `yaml:"provider"`       // camoo (the only one yet)
	APIKeyEnv    string        `yaml:"api_key_env"`    // CAMOO_SMS_API_KEY unless set
	APISecretEnv string        `yaml:"api_secret_env"` // CAMOO_SMS_API_SECRET unless set
	Sender       string        `yaml:"sender"`         // the name phones show, at most 11 characters; bulkpay unless set
	Route        string        `yaml:"route"`          // premium (Camoo's default) or classic
	BaseURL      string        `yaml:"base_url"`       // Camoo's API unless set, up to /v1
	NotifyURL    string        `yaml:"notify_url"`     // where Camoo sends delivery reports
	Timeout      time.Duration `yaml:"timeout"`        // per request; 30s unless set
}

// EmailConfig is the `email:` section: the SMTP server e-mails to
// beneficiaries go through, always over TLS (STARTTLS, or from the start on
// port 465).
type EmailConfig struct {
	SMTPAddr    string `yaml:"smtp_addr"`    // host:port, e.g. smtp.example.cm:587 (or :465)
	UsernameEnv string `yaml:"username_env"` // SMTP_USERNAME unless set; no login when neither is set
	PasswordEnv string `yaml:"password_env"` // SMTP_PASSWORD unless set
	From        string `yaml:"from"`         // "Fondation Espoir <paie@example.cm>"
}

// Messengers are the channels bulkpay reaches beneficiaries through; a nil
// channel is not configured (or, for e-mail, not used in the sandbox).
type Messengers struct {
	SMS   notify.SMS
	Email notify.Email
	// SandboxURL is the sandbox the SMS go to ("" when live): its
	// /_sandbox/messages lists them.
	SandboxURL string
}

// checkNotify checks the sms and email sections without reading a secret.
func (c Config) checkNotify() error {
	if s := c.SMS; s != nil {
		if p := cmp.Or(s.Provider, camoosms.Name); p != camoosms.Name {
			return fmt.Errorf("sms.provider: %q is not an SMS provider bulkpay knows (camoo)", p)
		}
		if err := camoosms.CheckSender(cmp.Or(s.Sender, camoosms.DefaultSender)); err != nil {
			return fmt.Errorf("sms.sender: %w", err)
		}
		if r := s.Route; r != "" && r != "premium" && r != "classic" {
			return fmt.Errorf("sms.route: %q: write premium or classic", r)
		}
		if err := CheckBaseURL(s.BaseURL); err != nil {
			return fmt.Errorf("sms.base_url: %w", err)
		}
		if s.NotifyURL != "" {
			if err := CheckPublicURL(s.NotifyURL); err != nil {
				return fmt.Errorf("sms.notify_url: %w", err)
			}
		}
	}
	if e := c.Email; e != nil {
		if _, err := notify.NewSMTP(e.SMTPAddr, e.From); err != nil {
			return fmt.Errorf("email: %w", err)
		}
	}
	return nil
}

// NewSMS builds the SMS channel: against the sandbox at root when root is set
// (its Camoo SMS simulator, with placeholder keys), else the config's sms
// account with its keys from the environment; nil when the config has no sms
// section and root is not set.
func (c Config) NewSMS(root string, wrap func(*http.Client) *http.Client) (notify.SMS, error) {
	s := c.SMS
	if s == nil && root == "" {
		return nil, nil
	}
	if s == nil {
		s = &SMSConfig{}
	}
	hc := &http.Client{Timeout: cmp.Or(s.Timeout, 30*time.Second)}
	if wrap != nil {
		hc = wrap(hc)
	}
	opts := []camoosms.Option{camoosms.WithHTTPClient(hc), camoosms.WithSender(cmp.Or(s.Sender, camoosms.DefaultSender)),
		camoosms.WithRoute(s.Route), camoosms.WithNotifyURL(s.NotifyURL)}
	if root != "" {
		return camoosms.New(append(opts, camoosms.WithBaseURL(root+"/camoo/v1"), camoosms.WithKeys("sandbox", "sandbox"))...), nil
	}
	keys, err := creds("sms", "", [2]string{s.APIKeyEnv, "CAMOO_SMS_API_KEY"}, [2]string{s.APISecretEnv, "CAMOO_SMS_API_SECRET"})
	if err != nil {
		return nil, err
	}
	return camoosms.New(append(opts, camoosms.WithBaseURL(cmp.Or(s.BaseURL, camoosms.DefaultBaseURL)), camoosms.WithKeys(keys[0], keys[1]))...), nil
}

// NewEmail builds the e-mail channel from the email section, its login read
// from the environment; nil when there is none. In the sandbox (sandbox
// true) e-mail goes out only to a server on this machine (a local mail
// catcher): a sandbox run never writes to real beneficiaries.
func (c Config) NewEmail(sandbox bool) (notify.Email, error) {
	e := c.Email
	if e == nil {
		return nil, nil
	}
	host, _, _ := net.SplitHostPort(e.SMTPAddr)
	local := loopback(host)
	if sandbox && !local {
		return nil, nil
	}
	var opts []notify.SMTPOption
	if local {
		opts = append(opts, notify.WithPlainLocal())
	}
	user := os.Getenv(cmp.Or(e.UsernameEnv, "SMTP_USERNAME"))
	switch {
	case user != "":
		pw, err := creds("email", "", [2]string{e.PasswordEnv, "SMTP_PASSWORD"})
		if err != nil {
			return nil, err
		}
		opts = append(opts, notify.WithSMTPAuth(user, pw[0]))
	case e.UsernameEnv != "":
		return nil, fmt.Errorf("email: no login: set %s in the environment (or remove username_env for a server that needs none)", e.UsernameEnv)
	}
	s, err := notify.NewSMTP(e.SMTPAddr, e.From, opts...)
	if err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	return s, nil
}

// ConnectNotify is Connect with the channels to beneficiaries: SMS go where
// the payouts go (the sandbox at t.SandboxURL, the built-in sandbox, or the
// config's sms account when paying live). Close the connection when done.
func (c Config) ConnectNotify(ctx context.Context, t Target) (*batch.Connection, Messengers, error) {
	conn, root, err := c.connect(ctx, t)
	if err != nil {
		return nil, Messengers{}, err
	}
	m := Messengers{SandboxURL: root}
	if m.SMS, err = c.NewSMS(root, t.WrapHTTP); err == nil {
		m.Email, err = c.NewEmail(root != "")
	}
	if err != nil {
		conn.Close()
		return nil, Messengers{}, err
	}
	return conn, m, nil
}
