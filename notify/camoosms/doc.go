// Package camoosms sends SMS through Camoo's SMS API (POST /v1/sms.json), as a
// notify.SMS.
package camoosms
