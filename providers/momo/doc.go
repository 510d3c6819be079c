// Package momo is a client for MTN's MoMo Open API, Disbursement product: a
// token from the API user and key, the subscription key on every call, the
// target environment of each market, transfers whose X-Reference-Id is our own
// reference, their status by that reference, the balance, and the account
// holder's active check and registered name. Because a transfer can be asked
// about by our own reference, an outcome in doubt always settles without a
// person (Settle).
package momo
