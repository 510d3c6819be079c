// Package notify sends messages to beneficiaries: SMS through a provider such
// as Camoo (package notify/camoosms) and e-mail over SMTP with STARTTLS. The
// texts of the claim links and their codes are package notify/linktext's.
package notify
