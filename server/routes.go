package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"bulkpay/identity"
	"bulkpay/sheet"
)

// Who may use a route.
var (
	public    []identity.Role // no sign-in needed
	everyone  = []identity.Role{identity.Initiator, identity.Approver, identity.Auditor, identity.Admin}
	initiator = []identity.Role{identity.Initiator}
	approver  = []identity.Role{identity.Approver}
	reviewers = []identity.Role{identity.Approver, identity.Auditor}
	admin     = []identity.Role{identity.Admin}
	operators = []identity.Role{identity.Initiator, identity.Approver} // reconcile: it sends no payout
)

// Request body bounds: a form, and an uploaded sheet (the sheet reader's own
// file limit, with room for the form's other fields).
const maxForm = 64 << 10

var maxUpload = sheet.DefaultLimits.MaxFileBytes + 1<<20

// route is one line of the table: a method and path, the roles that may use
// it (public: anyone, signed in or not) and the largest body it reads.
type route struct {
	pattern string
	roles   []identity.Role
	maxBody int64
	handle  func(w http.ResponseWriter, r *http.Request, rq *request)
}

// table is every route the server answers. Every POST of the web app checks
// the form's CSRF token; every route but the public ones needs a session
// whose user has one of the roles. The API's routes (isAPI) need HTTP Basic
// instead of a session (see wrapAPI).
func (s *Server) table() []route {
	return append([]route{
		{"GET /healthz", public, 0, s.healthz},
		{"GET /static/{file}", public, 0, s.static},
		{"GET /lang/{lang}", public, 0, s.setLang},
		{"GET /login", public, 0, s.loginPage},
		{"POST /login", public, maxForm, s.login},
		{"POST /logout", everyone, maxForm, s.logout},

		// the claim pages of links (claim.go): public, the link is the key
		{"GET /claim/{id}", public, 0, s.claimPage},
		{"POST /claim/{id}", public, maxForm, s.claimSubmit},
		{"POST /claim/{id}/code", public, maxForm, s.claimCode},
		{"POST /claim/{id}/verify", public, maxForm, s.claimVerify},

		{"GET /{$}", everyone, 0, s.batchesPage},
		{"GET /batches/new", initiator, 0, s.newBatchPage},
		{"GET /balances", everyone, 0, s.balancesPage},
		{"GET /settings/users", admin, 0, s.usersPage},
		{"POST /settings/users", admin, maxForm, s.addUserForm},
		{"POST /settings/users/{name}/disable", admin, maxForm, s.disableUserForm},
		{"GET /settings/profits", admin, 0, s.profitsPage},
		{"POST /settings/profits/{name}", admin, maxForm, s.profitForm},
		{"POST /batches", initiator, maxUpload, s.upload},
		{"GET /uploads/{id}/errors.csv", initiator, 0, s.uploadErrors},
		{"GET /batches/{ref}", everyone, 0, s.batchPage},
		{"POST /batches/{ref}/approve", approver, maxForm, s.approve},
		{"POST /batches/{ref}/reject", approver, maxForm, s.reject},
		{"POST /batches/{ref}/start", initiator, maxForm, s.start},
		{"POST /batches/{ref}/pause", initiator, maxForm, s.pauseForm},
		{"POST /batches/{ref}/resume", initiator, maxForm, s.resumeForm},
		{"POST /batches/{ref}/cancel", initiator, maxForm, s.cancelForm},
		{"POST /batches/{ref}/reconcile", operators, maxForm, s.reconcileForm},
		{"POST /batches/{ref}/retry", initiator, maxForm, s.retryForm},
		{"GET /batches/{ref}/progress", everyone, 0, s.progress},
		{"GET /batches/{ref}/items", everyone, 0, s.itemsPage},
		{"GET /batches/{ref}/items/{row}", everyone, 0, s.itemPage},
		{"GET /batches/{ref}/review", reviewers, 0, s.reviewPage},
		{"POST /batches/{ref}/items/{row}/resolve", approver, maxForm, s.resolve},
		{"POST /batches/{ref}/items/{row}/confirm", approver, maxForm, s.confirmForm},
		{"GET /batches/{ref}/report.xlsx", everyone, 0, s.report},
		{"GET /batches/{ref}/report.csv", everyone, 0, s.report},
		{"GET /batches/{ref}/report.json", everyone, 0, s.report},

		// the platform API (api.go): HTTP Basic, JSON
		{"GET /openapi.json", public, 0, s.openAPI},
		{"GET /payments/bulk_payment/{$}", everyone, 0, s.bulkPayments},
		{"GET /payments/bulk_payment/{id}/{$}", everyone, 0, s.bulkPaymentRead},
		{"POST /payments/create_bulk_payment/{$}", initiator, maxUpload, s.createBulkPayment},
		{"POST /payments/bulk_payment/{id}/approve/{$}", approver, maxForm, s.approveBulkPayment},
		{"POST /payments/bulk_payment/{id}/reject/{$}", approver, maxForm, s.rejectBulkPayment},
		{"POST /payments/bulk_payment/{id}/start/{$}", initiator, maxForm, s.startBulkPayment},
		{"POST /payments/bulk_payment/{id}/pause/{$}", initiator, maxForm, s.pauseBulkPayment},
		{"POST /payments/bulk_payment/{id}/resume/{$}", initiator, maxForm, s.resumeBulkPayment},
		{"POST /payments/bulk_payment/{id}/cancel/{$}", initiator, maxForm, s.cancelBulkPayment},
		{"POST /payments/bulk_payment/{id}/reconcile/{$}", operators, maxForm, s.reconcileBulkPayment},
		{"GET /payments/bulk_payment/{id}/report.xlsx", everyone, 0, s.bulkPaymentReport},
		{"GET /payments/bulk_payment/{id}/report.csv", everyone, 0, s.bulkPaymentReport},
		{"GET /payments/bulk_payment/{id}/report.json", everyone, 0, s.bulkPaymentReport},
		{"GET /payments/link/{$}", everyone, 0, s.links},
		{"GET /payments/link/{id}/{$}", everyone, 0, s.linkRead},
		// whoever holds a link (api_claim.go): no sign-in, rated per link and address
		{"POST /payments/link/{id}/send_code/{$}", public, maxForm, s.apiSendCode},
		{"GET /payments/check_bulk_payment/{linkId}", public, 0, s.checkBulkPayment},
		{"POST /payments/process_bulk_payment/transaction", public, maxForm, s.processBulkPayment},
		{"GET /payments/transaction/{$}", everyone, 0, s.transactions},
		{"GET /payments/transaction/{id}/{$}", everyone, 0, s.transactionRead},
		{"GET /payments/profit/{$}", everyone, 0, s.profits},
		{"GET /payments/profit/{id}/{$}", everyone, 0, s.profitRead},
		{"GET /payments/webhook_event/{$}", everyone, 0, s.webhookEvents},
		{"POST /payments/webhook_event/{id}/resend/{$}", admin, maxForm, s.resendWebhookEvent},
		{"GET /payments/profit_configuration/{$}", everyone, 0, s.profitConfigurations},
		{"GET /payments/profit_configuration/{id}/{$}", everyone, 0, s.profitConfigurationRead},
		{"PUT /payments/change_profit_configuration/{id}/{$}", admin, maxForm, s.changeProfitConfiguration},
		{"GET /payments/currency/{$}", everyone, 0, s.currencyList},
		{"GET /payments/currency/{id}/{$}", everyone, 0, s.currencyRead},
		{"GET /payments/country/{$}", everyone, 0, s.countryList},
		{"GET /payments/country/{id}/{$}", everyone, 0, s.countryRead},
		{"GET /payments/country_currency/{$}", everyone, 0, s.countryCurrencies},
		{"GET /payments/country_currency/{id}/{$}", everyone, 0, s.countryCurrencyRead},
		{"GET /payments/mobile_money/phone_number_info/{phone_number}", everyone, 0, s.phoneNumberInfo},
	},
		// the providers' callbacks (callbacks.go): public, verified as each provider signs
		s.callbackRoutes()...)
}

// routes builds the handler: every route wrapped the same way, in order:
// security headers, body bound, language, session and role, CSRF.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.table() {
		if isAPI(rt.pattern) {
			mux.Handle(rt.pattern, s.wrapAPI(rt))
		} else {
			mux.Handle(rt.pattern, s.wrap(rt))
		}
	}
	mux.Handle("/payments/", s.wrapAPI(route{roles: public, handle: func(w http.ResponseWriter, r *http.Request, rq *request) {
		apiFail(w, http.StatusNotFound, "no such endpoint: GET /openapi.json lists them")
	}}))
	mux.Handle("/", s.wrap(route{roles: public, handle: func(w http.ResponseWriter, r *http.Request, rq *request) {
		s.fail(w, rq, http.StatusNotFound, rq.T["not_found"])
	}}))
	return mux
}

func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := &answered{ResponseWriter: rw}
		rq := s.newRequest(r)
		defer s.recoverPage(w, rq, rt.pattern)
		secure(w.Header())
		if s.opt.Secure {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		if rt.maxBody > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, rt.maxBody)
		} else if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, 0)
		}
		if rt.roles != nil {
			if !s.authenticate(r, rq) {
				if r.Method == http.MethodGet && r.Header.Get("Accept") != "text/event-stream" {
					http.Redirect(w, r, "/login", http.StatusSeeOther)
					return
				}
				s.fail(w, rq, http.StatusUnauthorized, rq.T["sign_in_first"])
				return
			}
			if !slices.Contains(rt.roles, rq.User.Role) {
				s.fail(w, rq, http.StatusForbidden, rq.T["forbidden"])
				return
			}
			if r.Method == http.MethodPost && !s.parseForm(w, r, rq) {
				return
			}
			if r.Method == http.MethodPost && !rq.checkCSRF(r) {
				s.fail(w, rq, http.StatusForbidden, rq.T["csrf"])
				return
			}
		}
		rt.handle(w, r, rq)
	})
}

// answered is a page's answer, which knows whether it has begun (a progress
// stream flushes through it).
type answered struct {
	http.ResponseWriter
	begun bool
}

func (a *answered) WriteHeader(status int) {
	a.begun = true
	a.ResponseWriter.WriteHeader(status)
}

func (a *answered) Write(b []byte) (int, error) {
	a.begun = true
	return a.ResponseWriter.Write(b)
}

func (a *answered) Flush() {
	a.begun = true
	if f, ok := a.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (a *answered) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// recoverPage answers a page's panic with the 500 page, without the panic's
// text or stack (the log has the text); once the answer has begun, it can
// only end. net/http's own abort goes on.
func (s *Server) recoverPage(w *answered, rq *request, pattern string) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	s.opt.Log.Error("page handler panicked", "route", pattern, "user", rq.User.Name, "panic", fmt.Sprint(v))
	if !w.begun {
		s.fail(w, rq, http.StatusInternalServerError, rq.T["internal"])
	}
}

// parseForm reads a POST's form within its route's bound (a multipart form
// keeps up to 1 MiB in memory, the rest in temporary files); a body beyond
// the bound is refused with 413.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request, rq *request) bool {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.fail(w, rq, http.StatusRequestEntityTooLarge, rq.T["too_large"])
		return false
	case err != nil:
		s.fail(w, rq, http.StatusBadRequest, rq.T["bad_form"])
		return false
	}
	return true
}

// secure sets the headers every answer carries: no script but the server's
// own files, no framing, no sniffing, no referrer beyond the origin.
func secure(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}
