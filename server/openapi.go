package server

import (
	"net/http"
	"strings"
)

// The OpenAPI 3 description of the platform API, written by hand beside the
// route table (a test checks that both name the same paths and methods).

type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func str(format string) obj {
	if format == "" {
		return obj{"type": "string"}
	}
	return obj{"type": "string", "format": format}
}

func nullable(o obj) obj {
	out := obj{"nullable": true}
	for k, v := range o {
		out[k] = v
	}
	return out
}

var (
	integer = obj{"type": "integer", "format": "int64"}
	boolean = obj{"type": "boolean"}
	stamp   = str("date-time")
)

func object(required []string, props obj) obj {
	o := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func arrayOf(o obj) obj { return obj{"type": "array", "items": o} }

// list is a page of a list of schema.
func list(schema string) obj {
	return object([]string{"count", "results"}, obj{"count": integer, "next": nullable(str("uri")), "previous": nullable(str("uri")),
		"results": arrayOf(ref(schema))})
}

func jsonBody(o obj) obj { return obj{"content": obj{"application/json": obj{"schema": o}}} }

func reply(desc string, o obj) obj {
	a := jsonBody(o)
	a["description"] = desc
	return a
}

var errorAnswer = reply("refused: why, in detail", ref("Error"))

// op is one operation: its summary, roles, parameters, body and answers.
func op(summary, roles string, params []obj, body obj, ok string, okAnswer obj) obj {
	responses := obj{ok: okAnswer, "401": errorAnswer, "403": errorAnswer}
	o := obj{"summary": summary, "description": "Roles: " + roles + ".", "responses": responses, "security": []obj{{"basic": []string{}}}}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if body != nil {
		o["requestBody"] = body
		o["parameters"] = append(params, obj{"name": "Idempotency-Key", "in": "header", "required": true, "schema": str(""),
			"description": "a new unique value per request: the same key with the same request replays the first answer; with another request: 422"})
		responses["400"], responses["409"], responses["422"] = errorAnswer, errorAnswer, errorAnswer
	}
	if strings.Contains(summary, "{id}") || len(params) > 0 {
		responses["404"] = errorAnswer
	}
	return o
}

// holderOp is an operation for whoever holds a link: no sign-in, rated per
// link and per address (429 beyond), refusals in the ClaimAnswer shape.
func holderOp(summary string, params []obj, body obj, ok string, okAnswer obj) obj {
	refused := reply("refused: why, with the tries left or when to come back", ref("ClaimAnswer"))
	o := obj{"summary": summary, "description": "No sign-in: whoever holds the link. Rated per link and per client address.",
		"responses": obj{ok: okAnswer, "400": refused, "404": refused, "410": refused, "429": refused}, "security": []obj{}}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if body != nil {
		o["requestBody"] = body
	}
	return o
}

func query(names ...string) []obj {
	out := []obj{}
	for _, n := range names {
		out = append(out, obj{"name": n, "in": "query", "schema": str("")})
	}
	return append(out, obj{"name": "limit", "in": "query", "schema": integer, "description": "Number of results to return per page."},
		obj{"name": "offset", "in": "query", "schema": integer, "description": "The initial index from which to return the results."})
}

func pathParam(name, desc string) []obj {
	return []obj{{"name": name, "in": "path", "required": true, "schema": str(""), "description": desc}}
}

var (
	batchID  = pathParam("id", "the BulkPayment's id (a UUID) or its reference")
	actionOK = reply("the BulkPayment as it stands after the action", ref("BulkPayment"))
	note     = jsonBody(object(nil, obj{"note": str(""), "plan_hash": str("")}))
	empty    = jsonBody(object(nil, obj{}))
)

func listOp(summary, schema string, filters ...string) obj {
	return obj{"get": op(summary, "every role", query(filters...), nil, "200", reply("a page of results", list(schema)))}
}

func readOp(summary, schema, idDesc string) obj {
	return obj{"get": op(summary, "every role", pathParam("id", idDesc), nil, "200", reply("found", ref(schema)))}
}

func report(ctype string) obj {
	return obj{"get": op("download the batch's report", "every role", batchID, nil, "200",
		obj{"description": "the report", "content": obj{ctype: obj{"schema": str("binary")}}})}
}

// openAPIDoc is the document.
func openAPIDoc() obj {
	currency := object([]string{"name", "symbol"}, obj{"id": integer, "name": str(""), "symbol": str(""), "created_at": nullable(stamp),
		"updated_at": nullable(stamp)})
	counts := obj{"type": "object", "additionalProperties": integer}
	return obj{
		"openapi": "3.0.3",
		"info": obj{"title": "bulkpay platform API", "version": "1",
			"description": "The platform's payments API over bulkpay's batches. HTTP Basic: a user's name with the user's password or API key. " +
				"No cookies. Errors are {\"detail\": \"...\"}. Every write needs an Idempotency-Key header."},
		"components": obj{
			"securitySchemes": obj{"basic": obj{"type": "http", "scheme": "basic"}},
			"schemas": obj{
				"Error":     object([]string{"detail"}, obj{"detail": str("")}),
				"RowErrors": object([]string{"detail", "errors"}, obj{"detail": str(""), "errors": arrayOf(object(nil, obj{"row": integer, "column": str(""), "value": str(""), "message": str("")}))}),
				"Currency":  currency,
				"Country": object([]string{"name", "dial_code", "alpha2", "alpha3"}, obj{"id": integer, "name": str(""), "dial_code": str(""),
					"alpha2": str(""), "alpha3": str(""), "created_at": nullable(stamp), "updated_at": nullable(stamp)}),
				"CountryCurrency": object([]string{"country", "currency"}, obj{"id": str("uuid"), "country": ref("Country"), "currency": ref("Currency"),
					"created_at": nullable(stamp), "updated_at": nullable(stamp)}),
				"Organization": object(nil, obj{"id": str("uuid"), "name": str("")}),
				"Profit": object([]string{"currency", "amount"}, obj{"id": str("uuid"), "currency": ref("Currency"),
					"type": obj{"type": "string", "enum": []string{"bulk_payment"}}, "amount": integer, "created_at": stamp, "updated_at": stamp,
					"bulk_payment": str("uuid")}),
				"BulkPayment": object([]string{"currency", "organization", "profit", "total_amount"}, obj{"id": str("uuid"), "currency": ref("Currency"),
					"organization": ref("Organization"), "profit": ref("Profit"), "sheet": nullable(str("uri")), "total_amount": integer,
					"reference": str(""), "charge": integer, "created_at": stamp, "updated_at": stamp,
					"status": obj{"type": "string", "enum": []string{statusAwaitingApproval, statusReady, statusRunning, statusStopped, statusComplete}},
					"counts": counts, "amounts": counts, "items": integer, "sheet_name": str(""), "period": str(""), "plan_hash": str(""),
					"planned_by": str(""), "sandbox": boolean,
					"approval": nullable(object(nil, obj{"by": str(""), "at": stamp, "plan_hash": str("")}))}),
				"Link": object([]string{"amount"}, obj{"id": str("uuid"), "currency": ref("Currency"), "bulk_payment": obj{},
					"transaction": obj{}, "amount": integer, "url": nullable(str("")), "beneficiary_name": str(""),
					"beneficiary_email": nullable(str("email")), "beneficiary_phone_number": str(""), "beneficiary_bank_name": nullable(str("")),
					"beneficiary_bank_branch": nullable(str("")), "beneficiary_account_number": nullable(str("")), "expiry_date": nullable(str("date")),
					"verification_code": nullable(str("")), "status": obj{"type": "string", "enum": []string{"sent", "claimed", "processed", "expired"}},
					"created_at": stamp, "updated_at": stamp, "row": integer, "state": str(""), "operator": str(""), "provider": str(""), "message": str("")}),
				"Transaction": object([]string{"amount"}, obj{"id": str("uuid"), "currency": ref("Currency"), "link": obj{}, "profit": str("uuid"),
					"mode": obj{"type": "string", "enum": []string{"mobile_money", "bank_transfer", "cashout"}}, "amount": integer, "charge": integer,
					"status": obj{"type": "string", "enum": []string{"pending", "successful", "failed"}}, "created_at": stamp, "updated_at": stamp,
					"state": str(""), "pay_amount": integer, "provider": str(""), "provider_reference": str(""), "attempts": integer}),
				"WebhookEvent": object(nil, obj{"id": str(""), "type": str(""), "created_at": stamp, "deliveries": arrayOf(object(nil, obj{
					"endpoint": str(""), "state": str(""), "attempts": integer, "next_at": nullable(stamp), "last_status": integer,
					"last_error": str(""), "delivered_at": nullable(stamp)}))}),
				"ProfitConfiguration": object(nil, obj{"id": str(""), "currency": nullable(ref("Currency")), "name": str(""), "fee": integer,
					"percentage": nullable(str("decimal")), "use_percentage": boolean, "created_at": nullable(stamp), "updated_at": nullable(stamp),
					"updated_by": nullable(str("")), "source": str(""), "bearer": str(""), "history": arrayOf(object(nil, obj{"fee": integer,
						"percentage": nullable(str("decimal")), "use_percentage": boolean, "currency": str(""), "updated_at": stamp, "updated_by": str("")}))}),
				"ClaimAnswer": object([]string{"success", "message"}, obj{"success": boolean, "message": str(""), "data": object(nil, obj{
					"id": str(""), "currency": ref("Currency"), "bulk_payment": str("uuid"), "transaction": nullable(ref("Transaction")), "amount": integer,
					"url": str(""), "beneficiary_name": str(""), "beneficiary_phone_number": str(""), "expiry_date": str("date"),
					"status": obj{"type": "string", "enum": []string{"sent", "claimed", "processed", "expired"}}, "created_at": stamp, "updated_at": stamp,
					"organization": str(""), "expires_at": stamp, "modes": arrayOf(str("")), "other_number": boolean, "code_sent": boolean,
					"locked_until": nullable(stamp), "review": boolean, "cancelled": boolean}),
					"detail": str(""), "tries_left": integer, "retry_after": stamp}),
				"PhoneNumberInfo": object(nil, obj{"phone_number": str(""), "first_name": nullable(str("")), "last_name": nullable(str("")),
					"country": str(""), "country_name": str(""), "operator": str(""), "provider": nullable(str("")), "providers": arrayOf(str("")),
					"unpayable": str(""), "account": str("")}),
			},
		},
		"paths": obj{
			"/payments/bulk_payment/":      listOp("list the batches, newest first", "BulkPayment", "reference", "currency", "organization", "profit"),
			"/payments/bulk_payment/{id}/": obj{"get": op("read a batch", "every role", batchID, nil, "200", reply("found", ref("BulkPayment")))},
			"/payments/create_bulk_payment/": obj{"post": op("plan a batch from a sheet, for approval; nothing is sent", "initiator", nil,
				obj{"content": obj{"multipart/form-data": obj{"schema": object([]string{"sheet", "total_amount"}, obj{
					"sheet": str("binary"), "organization": str("uuid"), "total_amount": str(""), "reference": str(""), "period": str(""),
					"sheet_name": str(""), "allow_repeat": boolean})}}},
				"201", reply("planned, awaiting approval", ref("BulkPayment")))},
			"/payments/bulk_payment/{id}/approve/":    obj{"post": op("approve the batch's plan (four-eyes: not by its planner)", "approver", batchID, note, "200", actionOK)},
			"/payments/bulk_payment/{id}/reject/":     obj{"post": op("reject the batch's plan, with a note", "approver", batchID, note, "200", actionOK)},
			"/payments/bulk_payment/{id}/start/":      obj{"post": op("pay the batch in the background", "initiator", batchID, empty, "202", actionOK)},
			"/payments/bulk_payment/{id}/pause/":      obj{"post": op("stop claiming new payouts; those in flight finish and are recorded", "initiator", batchID, empty, "202", actionOK)},
			"/payments/bulk_payment/{id}/resume/":     obj{"post": op("pay a paused or interrupted batch again", "initiator", batchID, empty, "202", actionOK)},
			"/payments/bulk_payment/{id}/cancel/":     obj{"post": op("cancel the payouts never sent, with a note; those sent or in doubt finish or settle", "initiator", batchID, note, "200", actionOK)},
			"/payments/bulk_payment/{id}/reconcile/":  obj{"post": op("settle what is open and compare with the providers' records", "initiator, approver", batchID, empty, "200", reply("the findings", object(nil, obj{"bulk_payment": ref("BulkPayment"), "reconciliation": obj{}, "outcome": str("")})))},
			"/payments/bulk_payment/{id}/report.xlsx": report("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
			"/payments/bulk_payment/{id}/report.csv":  report("text/csv"),
			"/payments/bulk_payment/{id}/report.json": report("application/json"),
			"/payments/link/":                         listOp("list the links: one per beneficiary row", "Link", "bulk_payment", "currency", "status", "transaction"),
			"/payments/link/{id}/":                    readOp("read a link", "Link", "the link's id (a row paid by link: its link's id; any other row: the item's UUID)"),
			"/payments/link/{id}/send_code/": obj{"post": holderOp("send a 6-digit code by SMS to the link's number on file (valid 10 minutes; at most one a minute, five an hour)",
				pathParam("id", "the link's id"), nil, "202", reply("sent", ref("ClaimAnswer")))},
			"/payments/check_bulk_payment/{linkId}": obj{"get": holderOp("the link's details, masked as its claim page shows them; never its verification code",
				pathParam("linkId", "the link's id"), nil, "200", reply("the link", ref("ClaimAnswer")))},
			"/payments/process_bulk_payment/transaction": obj{"post": holderOp("claim the link with its code and the mode chosen: its payout is paid by the runner, once; the same claim again answers the same transaction",
				nil, jsonBody(object([]string{"link", "verification_code"}, obj{"link": str(""), "verification_code": str(""),
					"mode": obj{"type": "string", "enum": []string{"mobile_money", "cashout", "bank_transfer"}}, "phone_number": str("")})),
				"200", reply("claimed: the link with its transaction", ref("ClaimAnswer")))},
			"/payments/transaction/":      listOp("list the transactions: one per payout", "Transaction", "mode", "currency", "link", "profit", "status"),
			"/payments/transaction/{id}/": readOp("read a transaction", "Transaction", "the transaction's id"),
			"/payments/profit/":           listOp("list the profits: one per batch", "Profit", "type", "currency"),
			"/payments/profit/{id}/":      readOp("read a profit", "Profit", "the profit's id"),
			"/payments/webhook_event/":    listOp("list the webhook events, newest first, with each endpoint's delivery", "WebhookEvent", "type"),
			"/payments/webhook_event/{id}/resend/": obj{"post": op("send a webhook event again to every endpoint, retried for 24 h from now", "admin",
				pathParam("id", "the event's id"), empty, "202", reply("opened again", object(nil, obj{"id": str(""), "state": str("")})))},
			"/payments/profit_configuration/":      listOp("list the profit configurations in force", "ProfitConfiguration", "name", "currency"),
			"/payments/profit_configuration/{id}/": readOp("read a profit configuration with its history", "ProfitConfiguration", "its name, e.g. mobile_money_disbursement_fee"),
			"/payments/change_profit_configuration/{id}/": obj{"put": op("change a profit configuration; batches already planned keep theirs", "admin",
				pathParam("id", "its name, e.g. mobile_money_disbursement_fee"), jsonBody(object(nil, obj{"name": nullable(str("")), "fee": nullable(integer),
					"percentage": nullable(str("decimal")), "use_percentage": boolean, "currency": nullable(integer), "updated_by": nullable(str(""))})),
				"200", reply("the configuration in force", ref("ProfitConfiguration")))},
			"/payments/currency/":              listOp("list the currencies", "Currency"),
			"/payments/currency/{id}/":         readOp("read a currency", "Currency", "its id"),
			"/payments/country/":               listOp("list the countries paid", "Country"),
			"/payments/country/{id}/":          readOp("read a country", "Country", "its id"),
			"/payments/country_currency/":      listOp("list the countries with their currencies", "CountryCurrency", "country", "currency"),
			"/payments/country_currency/{id}/": readOp("read a country's currency", "CountryCurrency", "its id"),
			"/payments/mobile_money/phone_number_info/{phone_number}": obj{"get": op("the number normalised, its country, operator and the provider that would pay it; to approvers and admins, the name registered behind it (first_name, last_name) and its account's standing when a provider can tell them",
				"every role", pathParam("phone_number", "as a sheet writes it"), nil, "200", reply("read", ref("PhoneNumberInfo")))},
		},
	}
}

// openAPI serves the description.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, rq *request) {
	writeJSON(w, http.StatusOK, openAPIDoc())
}
