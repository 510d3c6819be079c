// Package cinetpay is a client for CinetPay's transfer API (v1): login with a
// five-minute token, contacts added before transfers, transfers sent several per
// call with a code each, and look-up by our client_transaction_id.
package cinetpay
