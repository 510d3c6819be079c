package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSandboxJournalBesideTheLedger: beside a ledger file; for a ledger on
// PostgreSQL, in the current folder under a name of the server, database and
// schema, the same whether the DSN shows its password or not, never with it.
func TestSandboxJournalBesideTheLedger(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "/data/bulkpay.db.sandbox.jsonl", sandboxJournal("/data/bulkpay.db"))
	raw := sandboxJournal("postgres://pay:Secret42@db:5432/ledger?search_path=a")
	assert.Equal(t, raw, sandboxJournal("postgres://pay:xxxxx@db:5432/ledger?search_path=a"), "as the server names it (st.Path())")
	assert.NotContains(t, raw, "Secret42")
	assert.Regexp(t, `^bulkpay-postgres-[0-9a-f]{12}\.sandbox\.jsonl$`, raw)
	assert.NotEqual(t, raw, sandboxJournal("postgres://pay:Secret42@db:5432/ledger?search_path=b"), "another schema, another sandbox")
}
