// Package mycoolpay is a client for My-CoolPay's payout API: payouts to MTN
// Mobile Money (CM_MOMO), Orange Money (CM_OM) or a My-CoolPay wallet (MCP),
// status by My-CoolPay's transaction_ref, and balance.
package mycoolpay
