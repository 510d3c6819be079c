-- The digest (SHA-256, hex) of the token a provider gave with a payout to
-- authenticate its callback about it (CinetPay's 2026 notify_token): a
-- callback is believed to come from the provider only when its token has this
-- digest. The token itself is never kept. Empty when the provider gave none,
-- or when its answer never reached bulkpay.
ALTER TABLE items ADD COLUMN notify_digest TEXT NOT NULL DEFAULT '';
