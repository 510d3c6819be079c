package config_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/config"
	"bulkpay/notify"
	"bulkpay/notify/linktext"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

func TestNotifySections(t *testing.T) {
	t.Parallel()
	cfg, err := loadYAML(t, `
sms:
  provider: camoo
  api_key_env: MY_SMS_KEY
  api_secret_env: MY_SMS_SECRET
  sender: ONG Espoir
email:
  smtp_addr: smtp.example.cm:587
  username_env: MY_SMTP_USER
  password_env: MY_SMTP_PASS
  from: Fondation Éducation <paie@example.cm>
`)
	require.NoError(t, err)
	assert.Equal(t, &config.SMSConfig{Provider: "camoo", APIKeyEnv: "MY_SMS_KEY", APISecretEnv: "MY_SMS_SECRET", Sender: "ONG Espoir"}, cfg.SMS)
	assert.Equal(t, &config.EmailConfig{SMTPAddr: "smtp.example.cm:587", UsernameEnv: "MY_SMTP_USER", PasswordEnv: "MY_SMTP_PASS",
		From: "Fondation Éducation <paie@example.cm>"}, cfg.Email)

	cfg, err = loadYAML(t, "region: CM\n")
	require.NoError(t, err)
	assert.Nil(t, cfg.SMS)
	assert.Nil(t, cfg.Email)

	for _, tc := range []struct{ yaml, says string }{
		{"sms: {provider: twilio}\n", `sms.provider: "twilio"`},
		{"sms: {sender: Fondation Espoir}\n", "sms.sender"},
		{"sms: {route: express}\n", "sms.route"},
		{"sms: {base_url: 'http://sms.example.cm/v1'}\n", "sms.base_url"},
		{"sms: {api_key: abc}\n", "field api_key not found"},
		{"email: {smtp_addr: smtp.example.cm, from: paie@example.cm}\n", "host:port"},
		{"email: {smtp_addr: 'smtp.example.cm:587', from: paie}\n", "not an e-mail address"},
		{"email: {smtp_addr: 'smtp.example.cm:587', from: paie@example.cm, password: x}\n", "field password not found"},
	} {
		_, err := loadYAML(t, tc.yaml)
		assert.ErrorContains(t, err, tc.says, tc.yaml)
	}
}

func TestNewSMSLiveReadsTheEnvironment(t *testing.T) {
	rig := sandboxtest.New(t, sandbox.Options{Camoo: sandbox.CamooOptions{Key: "env-key", Secret: "env-secret"}})
	cfg := config.Default()
	cfg.SMS = &config.SMSConfig{APIKeyEnv: "T_SMS_KEY", APISecretEnv: "T_SMS_SECRET", Sender: "Espoir", BaseURL: rig.URL + "/camoo/v1"}
	t.Setenv("T_SMS_KEY", "")
	t.Setenv("T_SMS_SECRET", "")
	_, err := cfg.NewSMS("", nil)
	assert.ErrorContains(t, err, "set T_SMS_KEY and T_SMS_SECRET")

	t.Setenv("T_SMS_KEY", "env-key")
	t.Setenv("T_SMS_SECRET", "env-secret")
	sms, err := cfg.NewSMS("", nil)
	require.NoError(t, err)
	_, err = sms.SendSMS(context.Background(), notify.Message{To: "+237677123456", Text: "bonjour"})
	require.NoError(t, err)
	msgs := sandboxtest.Messages(t, rig.URL, "+237677123456")
	require.Len(t, msgs, 1)
	assert.Equal(t, "Espoir", msgs[0].From)

	none, err := config.Default().NewSMS("", nil)
	require.NoError(t, err)
	assert.Nil(t, none, "no sms section, no SMS when live")
}

func TestConnectNotifyPointsSMSAtTheSandbox(t *testing.T) {
	t.Parallel()
	rig := sandboxtest.New(t, sandbox.Options{})
	cfg := config.Default()
	cfg.Email = &config.EmailConfig{SMTPAddr: "smtp.example.cm:587", From: "paie@example.cm"}
	conn, m, err := cfg.ConnectNotify(context.Background(), config.Target{SandboxURL: rig.URL + "/"})
	require.NoError(t, err)
	defer conn.Close()
	assert.Equal(t, rig.URL, m.SandboxURL)
	assert.Nil(t, m.Email, "a sandbox run never e-mails real beneficiaries")
	require.NotNil(t, m.SMS)
	_, err = m.SMS.SendSMS(context.Background(), notify.Message{To: "+237677123456", Text: linktext.CodeMessage("fr", "123456")})
	require.NoError(t, err)
	assert.Equal(t, []string{linktext.CodeMessage("fr", "123456")}, sandboxtest.Delivered(t, rig.URL, "237677123456"))
}

func TestConnectNotifyBuiltinSandbox(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.Email = &config.EmailConfig{SMTPAddr: "127.0.0.1:2525", From: "paie@example.cm"}
	conn, m, err := cfg.ConnectNotify(context.Background(), config.Target{LedgerPath: filepath.Join(t.TempDir(), "bulkpay.db")})
	require.NoError(t, err)
	defer conn.Close()
	require.NotEmpty(t, m.SandboxURL)
	assert.Contains(t, conn.Where, m.SandboxURL[len("http://"):])
	assert.NotNil(t, m.Email, "a local mail catcher is used in the sandbox")
	rec, err := m.SMS.SendSMS(context.Background(), notify.Message{To: "+237677123456", Text: "bonjour"})
	require.NoError(t, err)
	msgs := sandboxtest.Messages(t, m.SandboxURL, "")
	require.Len(t, msgs, 1)
	assert.Equal(t, rec.ID, msgs[0].ID)
}

func TestNewEmailLogin(t *testing.T) {
	cfg := config.Default()
	cfg.Email = &config.EmailConfig{SMTPAddr: "smtp.example.cm:587", From: "paie@example.cm", UsernameEnv: "T_SMTP_USER", PasswordEnv: "T_SMTP_PASS"}
	t.Setenv("T_SMTP_USER", "")
	t.Setenv("T_SMTP_PASS", "")
	_, err := cfg.NewEmail(false)
	assert.ErrorContains(t, err, "set T_SMTP_USER")
	t.Setenv("T_SMTP_USER", "paie@example.cm")
	_, err = cfg.NewEmail(false)
	assert.ErrorContains(t, err, "set T_SMTP_PASS")
	t.Setenv("T_SMTP_PASS", "pw")
	e, err := cfg.NewEmail(false)
	require.NoError(t, err)
	assert.NotNil(t, e)
	e, err = config.Default().NewEmail(false)
	require.NoError(t, err)
	assert.Nil(t, e)
}

// TestREADMENotifyExampleParses: the README's sms and email sections are a
// config bulkpay loads as they are written.
func TestREADMENotifyExampleParses(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	var block string
	for _, part := range strings.Split(string(readme), "```yaml\n")[1:] {
		if b, _, ok := strings.Cut(part, "```"); ok && (strings.HasPrefix(b, "sms:") || strings.Contains(b, "\nsms:")) {
			block = b
			break
		}
	}
	require.NotEmpty(t, block, "the README shows the sms section")
	cfg, err := loadYAML(t, block)
	require.NoError(t, err)
	require.NotNil(t, cfg.SMS)
	require.NotNil(t, cfg.Email)
	assert.Equal(t, "ONG Espoir", cfg.SMS.Sender)
	assert.Equal(t, "smtp.example.cm:587", cfg.Email.SMTPAddr)
}
