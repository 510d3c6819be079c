// Package linktext writes the French and English texts of claim links, their
// reminders and codes, each kept to one SMS, and measures SMS in GSM septets
// or UTF-16 units. It does no I/O, so that batch can send its texts.
package linktext
