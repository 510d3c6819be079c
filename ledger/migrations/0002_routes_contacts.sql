-- The ordered providers an item may be paid through (failover), the provider's
-- net amount, and the payees each provider already knows (CinetPay contacts).
ALTER TABLE items ADD COLUMN route TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN provider_net INTEGER NOT NULL DEFAULT 0;

CREATE TABLE contacts (
    provider TEXT NOT NULL,
    phone    TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (provider, phone)
);
