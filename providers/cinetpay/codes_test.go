package cinetpay

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/providers"
)

func TestEveryDocumentedCodeIsClassified(t *testing.T) {
	cases := []struct {
		code         string
		class        error
		providerSide bool
		auth         bool
	}{
		{"0", nil, false, false}, {"726", nil, false, false}, // success; contact already there
		{"-1", providers.ErrUnknownOutcome, false, false},
		{"701", providers.ErrTransient, false, true}, {"702", providers.ErrTransient, false, true},
		{"703", providers.ErrTransient, false, true}, {"705", providers.ErrTransient, false, true},
		{"706", providers.ErrTransient, false, true}, {"707", providers.ErrTransient, false, true},
		{"704", providers.ErrRejected, false, false}, {"708", providers.ErrRejected, true, false},
		{"709", providers.ErrUnknownOutcome, false, false}, {"710", providers.ErrUnknownOutcome, false, false},
		{"715", providers.ErrUnknownOutcome, false, false}, {"716", providers.ErrRejected, false, false},
		{"717", providers.ErrRejected, false, false}, {"718", providers.ErrRejected, false, false},
		{"719", providers.ErrRejected, false, false}, {"720", providers.ErrRejected, false, false},
		{"721", providers.ErrRejected, true, false}, {"602", providers.ErrRejected, false, false},
		{"723", providers.ErrNotFound, false, false}, {"724", providers.ErrRejected, false, false},
		{"725", providers.ErrRejected, false, false}, {"801", providers.ErrRejected, false, false},
		{"802", providers.ErrRejected, false, false}, {"804", providers.ErrRejected, true, false},
		{"805", providers.ErrDuplicate, false, false}, {"999", providers.ErrUnknownOutcome, false, false},
	}
	for _, tc := range cases {
		class, side, auth := classOf(tc.code)
		assert.Equal(t, tc.class, class, tc.code)
		assert.Equal(t, tc.providerSide, side, tc.code)
		assert.Equal(t, tc.auth, auth, tc.code)
	}
}

func TestCodesAsNumbersOrStringsAndDataNesting(t *testing.T) {
	assert.Equal(t, "0", codeOf(json.RawMessage(`0`)))
	assert.Equal(t, "701", codeOf(json.RawMessage(`"701"`)))
	type x struct {
		A int `json:"a"`
	}
	once, err := rows[x](json.RawMessage(`[{"a":1},{"a":2}]`))
	assert.NoError(t, err)
	twice, err := rows[x](json.RawMessage(`[[{"a":1},{"a":2}]]`))
	assert.NoError(t, err)
	assert.Equal(t, once, twice)
	assert.Len(t, once, 2)
}
