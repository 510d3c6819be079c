package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"bulkpay/batch"
)

// changeProfit keeps a new version of the profit configuration name: the
// one in force, changed by edit, checked as the config file's are, and
// recorded with the user who changed it. The API's change and the admin's
// settings page both change a configuration through it. An invalid
// configuration is an inputError (batch.ErrInvalid) with its text.
func (s *Server) changeProfit(ctx context.Context, actor, name string, edit func(*batch.ProfitConfig)) error {
	f, _, err := s.fees(ctx)
	if err != nil {
		return err
	}
	c := batch.ProfitConfig{Name: name}
	for _, x := range f.Configs {
		if x.Name == name {
			c = x
		}
	}
	edit(&c)
	if err := (batch.Fees{Configs: []batch.ProfitConfig{c}}).Validate(); err != nil {
		return inputError(err.Error())
	}
	if _, err := s.opt.Store.SetProfitConfig(ctx, c, actor, s.opt.Now()); err != nil {
		return err
	}
	s.opt.Log.Info("profit configuration changed", "name", name, "user", actor)
	return nil
}

// profitView is a profit configuration in force and how it came to be.
type profitView struct {
	Config  batch.ProfitConfig
	Changes []profitStep // newest first; none when the config file's is in force
}

// profitStep is one change of a configuration: what it was, what it became,
// who changed it and when.
type profitStep struct {
	From, To batch.ProfitConfig
	By       string
	At       time.Time
}

// profitViews is every profit configuration in force, in order of name, each
// with its changes: the first one changed the config file's (or added it).
func (s *Server) profitViews(ctx context.Context) ([]profitView, error) {
	f, hist, err := s.fees(ctx)
	if err != nil {
		return nil, err
	}
	was := map[string]batch.ProfitConfig{}
	for _, c := range s.opt.Config.Fees().Configs {
		was[c.Name] = c
	}
	steps := map[string][]profitStep{}
	for _, v := range hist {
		from, ok := was[v.Config.Name]
		if !ok {
			from = batch.ProfitConfig{Name: v.Config.Name}
		}
		steps[v.Config.Name] = append(steps[v.Config.Name], profitStep{From: from, To: v.Config, By: v.UpdatedBy, At: v.At})
		was[v.Config.Name] = v.Config
	}
	var out []profitView
	for _, c := range f.Configs {
		ch := steps[c.Name]
		slices.Reverse(ch)
		out = append(out, profitView{Config: c, Changes: ch})
	}
	slices.SortFunc(out, func(a, b profitView) int { return strings.Compare(a.Config.Name, b.Config.Name) })
	return out, nil
}

// profitText writes a configuration as the settings page shows it: a fixed
// fee (250 FCFA) or a percentage (1.5 %).
func profitText(c batch.ProfitConfig) string {
	if c.UsePercentage {
		return c.Percentage + " %"
	}
	return money(c.Fee, c.Currency)
}

func (s *Server) profitsPage(w http.ResponseWriter, r *http.Request, rq *request) {
	s.showProfits(w, r, rq, http.StatusOK, "")
}

func (s *Server) showProfits(w http.ResponseWriter, r *http.Request, rq *request, status int, msg string) {
	views, err := s.profitViews(r.Context())
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	codes := make([]string, len(currencies))
	for i, c := range currencies {
		codes[i] = c.Code
	}
	s.render(w, rq, status, "profits.html", msg, struct {
		Profits    []profitView
		Currencies []string
	}{views, codes})
}

// profitForm changes one profit configuration from the settings page's form:
// every field is given (the form shows the values in force).
func (s *Server) profitForm(w http.ResponseWriter, r *http.Request, rq *request) {
	fee, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("fee")), 10, 64)
	if err != nil {
		s.showProfits(w, r, rq, http.StatusBadRequest, rq.T["fee_not_number"])
		return
	}
	cur := r.PostFormValue("currency")
	if cur != "" && !slices.ContainsFunc(currencies, func(c currencyInfo) bool { return c.Code == cur }) {
		s.showProfits(w, r, rq, http.StatusBadRequest, rq.T["bad_form"])
		return
	}
	err = s.changeProfit(r.Context(), rq.User.Name, r.PathValue("name"), func(c *batch.ProfitConfig) {
		c.Fee, c.Currency = fee, cur
		c.Percentage = strings.TrimSpace(r.PostFormValue("percentage"))
		c.UsePercentage = r.PostFormValue("use_percentage") != ""
	})
	if errors.Is(err, batch.ErrInvalid) {
		s.showProfits(w, r, rq, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	http.Redirect(w, r, "/settings/profits", http.StatusSeeOther)
}
