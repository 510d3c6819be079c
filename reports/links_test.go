package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

func TestLinksInReports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	b := batch.Batch{Reference: "links-11", Currency: "XAF"}
	items := []batch.Item{
		{ID: 1, Row: 2, Name: "Awa", Phone: "237677000001", Amount: 5000, Provider: "campay", Reference: "r1", State: batch.Succeeded, UpdatedAt: at},
		{ID: 2, Row: 3, Name: "Paul", Phone: "237677000002", Amount: 7000, Provider: "campay", Reference: "r2", State: batch.Cancelled, UpdatedAt: at},
		{ID: 3, Row: 4, Name: "Ngo", Phone: "237677000003", Amount: 1000, Provider: "campay", Reference: "r3", State: batch.Planned, UpdatedAt: at},
	}
	links := []batch.Link{
		{ID: "secret-link-id-1", ItemID: 1, Row: 2, Name: "Awa", Phone: "237677000001", Amount: 5000, Status: batch.LinkClaimed,
			ItemState: batch.Succeeded, ExpiresAt: at.Add(7 * 24 * time.Hour), InvitedAt: at, ClaimedAt: at.Add(time.Hour),
			ClaimMode: batch.ModeMobileMoney, ClaimPhone: "237677000001", CodeHash: "hash-of-the-code", CodeSalt: "salt"},
		{ID: "secret-link-id-2", ItemID: 2, Row: 3, Name: "Paul", Phone: "237677000002", Amount: 7000, Status: batch.LinkExpired,
			ItemState: batch.Cancelled, ExpiresAt: at, InvitedAt: at, Reminders: 2},
		{ID: "secret-link-id-3", ItemID: 3, Row: 4, Name: "Ngo", Phone: "237677000003", Amount: 1000, Status: batch.LinkSent,
			ItemState: batch.Planned, ExpiresAt: at.Add(7 * 24 * time.Hour), Locks: 3, Review: true},
	}
	msgs := []batch.Message{
		{Kind: batch.MessageInvitation, Channel: batch.ChannelSMS, Cost: 15, Charge: 25},
		{Kind: batch.MessageInvitation, Channel: batch.ChannelEmail},
		{Kind: batch.MessageCode, Channel: batch.ChannelSMS, Cost: 15, Charge: 25},
		{Kind: batch.MessageReminder, Channel: batch.ChannelSMS, Error: "provider down"},
	}
	each, attempts := Held(items, nil)
	out, err := WriteAll(dir, Input{Batch: b, Items: each, Attempts: attempts, Links: links, Messages: msgs})
	require.NoError(t, err)

	var sum Summary
	raw, err := os.ReadFile(filepath.Join(out, "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &sum))
	assert.Equal(t, &Links{ByStatus: []LinkTally{{"sent", 1, 1000}, {"processed", 1, 5000}, {"expired", 1, 7000}},
		Messages: 3, Failed: 1, Cost: 30, Charge: 50, BatchCharge: 50}, sum.Links)

	csv, err := os.ReadFile(filepath.Join(out, "links.csv"))
	require.NoError(t, err)
	assert.Equal(t, strings.Join([]string{
		strings.Join(linksHeader, ","),
		"2,Awa,237677000001,5000,XAF,processed,2026-12-01T08:00:00Z,2026-11-24T08:00:00Z,0,0,false,2026-11-24T09:00:00Z,mobile_money,237677000001,succeeded",
		"3,Paul,237677000002,7000,XAF,expired,2026-11-24T08:00:00Z,2026-11-24T08:00:00Z,2,0,false,,,,cancelled",
		"4,Ngo,237677000003,1000,XAF,sent,2026-12-01T08:00:00Z,,0,3,true,,,,planned",
		""}, "\n"), string(csv))
	require.NoError(t, filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if d.IsDir() {
			return nil
		}
		body, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, secret := range []string{"secret-link-id", "hash-of-the-code"} {
			assert.NotContains(t, string(body), secret, "%s", d.Name())
		}
		return nil
	}))

	// a batch without links has neither
	out2, err := WriteAll(filepath.Join(dir, "plain"), Input{Batch: b, Items: each, Attempts: attempts})
	require.NoError(t, err)
	assert.NoFileExists(t, filepath.Join(out2, "links.csv"))
	raw, err = os.ReadFile(filepath.Join(out2, "summary.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), `"links"`)
}
