// Package identity is who acts in bulkpay's server: users with a role,
// their password hashes (argon2id), API keys and session tokens (random,
// stored only as their SHA-256), and the names four-eyes compares.
package identity
