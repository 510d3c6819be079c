package momo

import (
	"context"
	"strings"

	"bulkpay/batch"
	"bulkpay/providers"
)

// AccountName implements batch.NameChecker: whether an MTN MoMo account
// stands behind phone, active, and the name it is registered to (basic user
// info). The name is returned, never logged nor put in an error.
func (c *Client) AccountName(ctx context.Context, phone string) (batch.NameInfo, error) {
	h, err := c.Holder(ctx, providers.Payout{Phone: phone})
	if err != nil {
		return batch.NameInfo{}, err
	}
	info := batch.NameInfo{Active: h.Active, Known: h.Known, Given: h.GivenName, Family: h.FamilyName}
	if info.Given == "" && info.Family == "" {
		info.Given = h.Name // one name: the match splits it
	}
	return info, nil
}

// Covers reports whether this account can tell the name behind a number of
// country on carrier: an MTN number of a market it pays.
func (c *Client) Covers(country, carrier string) bool {
	if _, ok := c.markets[strings.ToUpper(country)]; !ok && c.environment != SandboxEnvironment {
		return false
	}
	return providers.TellsName(Name, country, carrier)
}

var _ batch.NameChecker = (*Client)(nil)
