// Package notify sends messages to beneficiaries: SMS through a provider such
// as Camoo (package notify/camoosms) and e-mail over SMTP with STARTTLS, with
// the French and English texts of the claim links and their codes.
package notify
