package sandbox

import "strconv"

// DefaultCamooFeePercent is the fee the Camoo simulator draws from its balance
// on top of each cashout, in percent of the amount, unless CamooOptions say otherwise.
const DefaultCamooFeePercent = 2

// FeeOnTop is what a simulator with its default options draws from its balance
// on top of each payout, in percent as an exact decimal (the config's
// fee_percent for a real provider), or "" when it draws the amount alone:
// Camoo takes its cashout fee on top; the others take their fee out of the
// amount, if any.
func FeeOnTop(provider string) string {
	if provider == "camoo" {
		return strconv.Itoa(DefaultCamooFeePercent)
	}
	return ""
}
