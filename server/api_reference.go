package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
	xlang "golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"bulkpay/batch"
	"bulkpay/ledger"
	"bulkpay/providers"
	"bulkpay/sheet"
)

// currencyInfo is a currency bulkpay pays in.
type currencyInfo struct{ Code, Name, Symbol string }

// currencies are those the providers declare they pay in (the platform's
// Currency ids are their places here, from 1); symbols at most 4 characters.
var currencies = []currencyInfo{
	{"XAF", "Central African CFA franc", "FCFA"},
	{"XOF", "West African CFA franc", "FCFA"},
	{"GNF", "Guinean franc", "FG"},
	{"CDF", "Congolese franc", "FC"},
}

// countryCurrency is a country providers pay in and its currency.
type countryCurrency struct{ Country, Currency string }

// countries are the countries the providers declare they pay, with the
// currency each pays there, in order of country code.
var countries = func() []countryCurrency {
	var out []countryCurrency
	for _, d := range providers.Declarations() {
		for _, p := range d.Pays {
			if p.Country != "" && !slices.Contains(out, countryCurrency{p.Country, p.Currency}) {
				out = append(out, countryCurrency{p.Country, p.Currency})
			}
		}
	}
	slices.SortFunc(out, func(a, b countryCurrency) int { return strings.Compare(a.Country, b.Country) })
	return out
}()

type countryJSON struct {
	ID        int        `json:"id"`
	Name      string     `json:"name"`
	DialCode  string     `json:"dial_code"`
	Alpha2    string     `json:"alpha2"`
	Alpha3    string     `json:"alpha3"`
	CreatedAt *time.Time `json:"created_at"` // null, as for currencies
	UpdatedAt *time.Time `json:"updated_at"`
}

type countryCurrencyJSON struct {
	ID        string       `json:"id"`
	Country   countryJSON  `json:"country"`
	Currency  currencyJSON `json:"currency"`
	CreatedAt *time.Time   `json:"created_at"` // null, as for currencies
	UpdatedAt *time.Time   `json:"updated_at"`
}

func country(i int) countryJSON {
	code := countries[i].Country
	r := xlang.MustParseRegion(code)
	return countryJSON{ID: i + 1, Name: display.English.Regions().Name(r), Alpha2: code, Alpha3: r.ISO3(),
		DialCode: "+" + strconv.Itoa(phonenumbers.GetCountryCodeForRegion(code))}
}

// list answers a page of n results made by one.
func (s *Server) list(w http.ResponseWriter, r *http.Request, n int, one func(i int) any) {
	from, to, out, ok := s.page(w, r, n)
	if !ok {
		return
	}
	results := make([]any, 0, to-from)
	for i := from; i < to; i++ {
		results = append(results, one(i))
	}
	out.Results = results
	writeJSON(w, http.StatusOK, out)
}

// read answers the result whose id is the path's {id}, or 404.
func read(w http.ResponseWriter, r *http.Request, rq *request, n int, id func(i int) string, one func(i int) any) {
	for i := range n {
		if id(i) == r.PathValue("id") {
			writeJSON(w, http.StatusOK, one(i))
			return
		}
	}
	apiFail(w, http.StatusNotFound, rq.T["not_found"])
}

func itoaID(i int) string { return strconv.Itoa(i + 1) }

func (s *Server) currencyList(w http.ResponseWriter, r *http.Request, rq *request) {
	s.list(w, r, len(currencies), func(i int) any { return s.currency(currencies[i].Code) })
}

func (s *Server) currencyRead(w http.ResponseWriter, r *http.Request, rq *request) {
	read(w, r, rq, len(currencies), itoaID, func(i int) any { return s.currency(currencies[i].Code) })
}

func (s *Server) countryList(w http.ResponseWriter, r *http.Request, rq *request) {
	s.list(w, r, len(countries), func(i int) any { return country(i) })
}

func (s *Server) countryRead(w http.ResponseWriter, r *http.Request, rq *request) {
	read(w, r, rq, len(countries), itoaID, func(i int) any { return country(i) })
}

func (s *Server) countryCurrency(i int) countryCurrencyJSON {
	cc := countries[i]
	return countryCurrencyJSON{ID: uuidOf("country_currency:" + cc.Country + ":" + cc.Currency), Country: country(i), Currency: s.currency(cc.Currency)}
}

// countryCurrencies lists every country with its currency, filtered by
// country and currency (their ids or codes).
func (s *Server) countryCurrencies(w http.ResponseWriter, r *http.Request, rq *request) {
	q := r.URL.Query()
	var keep []int
	for i, cc := range countries {
		if matches(q.Get("country"), cc.Country, itoaID(i)) && matches(q.Get("currency"), cc.Currency, fmt.Sprint(s.currency(cc.Currency).ID)) {
			keep = append(keep, i)
		}
	}
	s.list(w, r, len(keep), func(i int) any { return s.countryCurrency(keep[i]) })
}

func (s *Server) countryCurrencyRead(w http.ResponseWriter, r *http.Request, rq *request) {
	read(w, r, rq, len(countries), func(i int) string { return s.countryCurrency(i).ID }, func(i int) any { return s.countryCurrency(i) })
}

// profits lists each batch's Profit (type bulk_payment: bulkpay's charges
// on it), filtered by type and currency.
func (s *Server) profits(w http.ResponseWriter, r *http.Request, rq *request) {
	sums, ok := s.summaries(w, r, rq)
	if !ok {
		return
	}
	q := r.URL.Query()
	sums = slices.DeleteFunc(sums, func(sum batch.Summary) bool {
		return !matches(q.Get("type"), "bulk_payment") ||
			!matches(q.Get("currency"), sum.Batch.Currency, fmt.Sprint(s.currency(sum.Batch.Currency).ID))
	})
	s.list(w, r, len(sums), func(i int) any { return s.profit(sums[i].Batch) })
}

func (s *Server) profit(b batch.Batch) profitJSON {
	return profitJSON{ID: profitUUID(b), Currency: s.currency(b.Currency), Type: "bulk_payment", Amount: b.Profit, CreatedAt: b.CreatedAt,
		UpdatedAt: b.CreatedAt, BulkPayment: batchUUID(b)}
}

func (s *Server) profitRead(w http.ResponseWriter, r *http.Request, rq *request) {
	sums, ok := s.summaries(w, r, rq)
	if !ok {
		return
	}
	read(w, r, rq, len(sums), func(i int) string { return profitUUID(sums[i].Batch) }, func(i int) any { return s.profit(sums[i].Batch) })
}

// profitConfigJSON is a ProfitConfiguration in force; its id is its name.
// History is every version changed through the API, newest first; a
// configuration never changed there comes from the config file.
type profitConfigJSON struct {
	ID            string          `json:"id"`
	Currency      *currencyJSON   `json:"currency"`
	Name          string          `json:"name"`
	Fee           int64           `json:"fee"`
	Percentage    *string         `json:"percentage"`
	UsePercentage bool            `json:"use_percentage"`
	CreatedAt     *time.Time      `json:"created_at"`
	UpdatedAt     *time.Time      `json:"updated_at"`
	UpdatedBy     *string         `json:"updated_by"` // the user's name
	Source        string          `json:"source"`     // bulkpay's own: "config" or "api"
	Bearer        string          `json:"bearer"`     // bulkpay's own: who bears the charge (the config's fee_bearer)
	History       []profitVersion `json:"history"`
}

type profitVersion struct {
	Fee           int64     `json:"fee"`
	Percentage    *string   `json:"percentage"`
	UsePercentage bool      `json:"use_percentage"`
	Currency      string    `json:"currency"`
	UpdatedAt     time.Time `json:"updated_at"`
	UpdatedBy     string    `json:"updated_by"`
}

// fees is the fee configuration in force: the config file's, with each
// configuration changed through the API replaced by its latest version.
func (s *Server) fees(ctx context.Context) (batch.Fees, []ledger.ProfitVersion, error) {
	f := s.opt.Config.Fees()
	hist, err := s.opt.Store.ProfitHistory(ctx)
	if err != nil {
		return f, nil, err
	}
	for _, v := range hist {
		f = f.With(v.Config)
	}
	return f, hist, nil
}

// profitConfigs is every profit configuration in force, in order of name.
func (s *Server) profitConfigs(ctx context.Context) ([]profitConfigJSON, error) {
	f, hist, err := s.fees(ctx)
	if err != nil {
		return nil, err
	}
	var out []profitConfigJSON
	for _, c := range f.Configs {
		pc := profitConfigJSON{ID: c.Name, Name: c.Name, Fee: c.Fee, Percentage: optional(c.Percentage), UsePercentage: c.UsePercentage,
			Source: "config", Bearer: f.Bearer, History: []profitVersion{}}
		if c.Currency != "" {
			cur := s.currency(c.Currency)
			pc.Currency = &cur
		}
		for i := len(hist) - 1; i >= 0; i-- {
			v := hist[i]
			if v.Config.Name != c.Name {
				continue
			}
			if pc.Source == "config" {
				at, by := v.At, v.UpdatedBy
				pc.Source, pc.UpdatedAt, pc.UpdatedBy = "api", &at, &by
			}
			first := v.At
			pc.CreatedAt = &first
			pc.History = append(pc.History, profitVersion{Fee: v.Config.Fee, Percentage: optional(v.Config.Percentage),
				UsePercentage: v.Config.UsePercentage, Currency: v.Config.Currency, UpdatedAt: v.At, UpdatedBy: v.UpdatedBy})
		}
		out = append(out, pc)
	}
	slices.SortFunc(out, func(a, b profitConfigJSON) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// profitConfigurations lists the profit configurations in force, filtered
// by name and currency.
func (s *Server) profitConfigurations(w http.ResponseWriter, r *http.Request, rq *request) {
	all, err := s.profitConfigs(r.Context())
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	q := r.URL.Query()
	all = slices.DeleteFunc(all, func(pc profitConfigJSON) bool {
		cur := ""
		if pc.Currency != nil {
			cur = pc.Currency.Symbol
		}
		return !matches(q.Get("name"), pc.Name) || (q.Get("currency") != "" && (pc.Currency == nil ||
			!matches(q.Get("currency"), cur, fmt.Sprint(pc.Currency.ID))))
	})
	s.list(w, r, len(all), func(i int) any { return all[i] })
}

func (s *Server) profitConfigurationRead(w http.ResponseWriter, r *http.Request, rq *request) {
	all, err := s.profitConfigs(r.Context())
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	read(w, r, rq, len(all), func(i int) string { return all[i].ID }, func(i int) any { return all[i] })
}

// profitChange is change_profit_configuration's body, as the seed gives it.
type profitChange struct {
	Name          *string `json:"name"`
	Fee           *int64  `json:"fee"`
	Percentage    *string `json:"percentage"`
	UsePercentage *bool   `json:"use_percentage"`
	Currency      *int    `json:"currency"`
	UpdatedBy     *string `json:"updated_by"` // ignored: the authenticated user is recorded
}

// changeProfitConfiguration keeps a new version of the profit configuration
// {id} (its name): fields left out keep their value in force. Batches
// planned from then on are charged by it; a batch already planned keeps the
// configuration it was planned with (stored with it).
func (s *Server) changeProfitConfiguration(w http.ResponseWriter, r *http.Request, rq *request) {
	var body profitChange
	if !decodeJSON(w, rq, &body) {
		return
	}
	name := r.PathValue("id")
	if body.Name != nil && *body.Name != name {
		apiFail(w, http.StatusBadRequest, "name "+*body.Name+" is not the configuration "+name+" of the path")
		return
	}
	cur := ""
	if body.Currency != nil {
		if *body.Currency < 1 || *body.Currency > len(currencies) {
			apiFail(w, http.StatusBadRequest, fmt.Sprintf("currency %d is not one of GET /payments/currency/", *body.Currency))
			return
		}
		cur = currencies[*body.Currency-1].Code
	}
	err := s.changeProfit(r.Context(), rq.User.Name, name, func(c *batch.ProfitConfig) {
		if body.Fee != nil {
			c.Fee = *body.Fee
		}
		if body.Percentage != nil {
			c.Percentage = strings.TrimSpace(*body.Percentage)
		}
		if body.UsePercentage != nil {
			c.UsePercentage = *body.UsePercentage
		}
		if body.Currency != nil {
			c.Currency = cur
		}
	})
	if errors.Is(err, batch.ErrInvalid) {
		apiFail(w, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	s.profitConfigurationRead(w, r, rq)
}

// phoneInfoJSON is what bulkpay knows of a phone number: the seed's fields
// (the registered names are not known to bulkpay: null) and the route a row
// with this number would take.
type phoneInfoJSON struct {
	PhoneNumber string   `json:"phone_number"`
	FirstName   *string  `json:"first_name"`
	LastName    *string  `json:"last_name"`
	Country     string   `json:"country"`
	CountryName string   `json:"country_name"`
	Operator    string   `json:"operator"`
	Provider    *string  `json:"provider"`  // the provider that would pay it (mobile money), null when none
	Providers   []string `json:"providers"` // every provider that may pay it, in order (failover)
	Unpayable   string   `json:"unpayable,omitempty"`
	// Account is what the provider that tells names says of the account
	// (active, inactive, unknown, not_checkable); only for the roles that see
	// the registered names, as FirstName and LastName.
	Account string `json:"account,omitempty"`
}

// phoneNumberInfo reads a phone number as a sheet's phone cell is read
// (sheet.ParsePhone, the config's region for national numbers) and routes it
// as a mobile money row of it would be (the batches' router). To approvers
// and admins it also gives the name registered behind it (first_name,
// last_name) when a provider the server reaches can tell it (MoMo for MTN
// numbers, the sandbox for any).
func (s *Server) phoneNumberInfo(w http.ResponseWriter, r *http.Request, rq *request) {
	cfg := s.opt.Config
	ph, err := sheet.ParsePhone(r.PathValue("phone_number"), cfg.Region)
	if err != nil {
		apiFail(w, http.StatusBadRequest, err.Error())
		return
	}
	out := phoneInfoJSON{PhoneNumber: "+" + ph.E164, Country: ph.Region, Operator: ph.Operator, Providers: []string{}}
	if reg, err := xlang.ParseRegion(ph.Region); err == nil {
		out.CountryName = display.English.Regions().Name(reg)
	}
	router := cfg.Router(cfg.Configured(s.opt.Target.SandboxURL))
	route, err := router.Route(batch.Row{Phone: ph.E164, Country: ph.Region, Operator: ph.Operator, Mode: batch.ModeMobileMoney})
	if err != nil {
		out.Unpayable = err.Error()
	} else {
		out.Providers, out.Provider = route, &route[0]
	}
	s.fillNames(r.Context(), rq, &out, ph.E164, ph.Region, ph.Operator)
	writeJSON(w, http.StatusOK, out)
}
