package identity

import "time"

// What the audit trail records about users.
const (
	AuditUserAdded    = "user_added"
	AuditUserDisabled = "user_disabled"
	AuditLocked       = "account_locked" // after repeated failed sign-ins; no actor
)

// AuditEntry is one step of the audit trail: who (Actor, empty for bulkpay
// itself) did what (Action) to whom (Subject), when, and a detail (a role,
// the address failed sign-ins came from).
type AuditEntry struct {
	At      time.Time
	Actor   string
	Action  string
	Subject string
	Detail  string
}
