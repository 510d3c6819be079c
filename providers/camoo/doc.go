// Package camoo is a client for Camoo's payment API: cashout to a mobile-money
// number, verify by Camoo's id, and account balance.
package camoo
