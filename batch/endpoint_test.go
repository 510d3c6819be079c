package batch_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/batch"
)

func TestEndpointSame(t *testing.T) {
	t.Parallel()
	builtin := batch.Endpoint{Kind: batch.EndpointBuiltin}
	sb := batch.SandboxEndpoint("http://127.0.0.1:8089/")
	live := batch.LiveEndpoint(map[string]string{"campay": "https://www.campay.net/api", "camoo": "https://api.camoo.cm/v1/payment"})
	for _, tc := range []struct {
		name string
		a, b batch.Endpoint
		same bool
	}{
		{"built-in and built-in", builtin, builtin, true},
		{"built-in and a sandbox URL", builtin, sb, false},
		{"the same sandbox, trailing slash and case aside", sb, batch.SandboxEndpoint("HTTP://127.0.0.1:8089"), true},
		{"another sandbox", sb, batch.SandboxEndpoint("http://127.0.0.1:8090"), false},
		{"sandbox and live", sb, live, false},
		{"live, same URLs, another config file", live, func() batch.Endpoint { e := live; e.Config = "/other.yaml"; return e }(), true},
		{"live, one provider moved", live, batch.LiveEndpoint(map[string]string{"campay": "https://demo.campay.net/api"}), false},
		{"live, a provider added", live, batch.LiveEndpoint(map[string]string{"campay": "https://www.campay.net/api", "cinetpay": "https://client.cinetpay.com/v1"}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.same, tc.a.Same(tc.b))
			assert.Equal(t, tc.same, tc.b.Same(tc.a))
		})
	}
}

func TestEndpointKeepsNoSecret(t *testing.T) {
	t.Parallel()
	e := batch.LiveEndpoint(map[string]string{"campay": "https://user:hunter2@www.campay.net/api/?token=abc#x"})
	assert.Equal(t, "https://www.campay.net/api", e.Providers["campay"])
	assert.Equal(t, "127.0.0.1:8089", batch.CleanURL("user:hunter2@127.0.0.1:8089/"))
	assert.NotContains(t, e.String(), "hunter2")
	assert.Equal(t, "the live providers (campay at https://www.campay.net/api)", e.String())
	assert.Equal(t, []string{"campay at https://www.campay.net/api, now https://demo.campay.net/api"},
		e.Differences(batch.LiveEndpoint(map[string]string{"campay": "https://demo.campay.net/api"})))
}
