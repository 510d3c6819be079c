package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"bulkpay/batch"
	"bulkpay/providers"
)

// nameLookup serves GET /_sandbox/names/{phone}: what the sandbox's name
// directory tells about any number, as a provider that can tell names would:
// {known, active, given_name, family_name}. A valid mobile number is a known,
// active account (MTN's sandbox test numbers behave as MoMo says they do),
// its name disclosed when the directory holds one; a number set to
// NameInactive or NameUnknown answers as such.
func (s *Server) nameLookup(w http.ResponseWriter, phone string) {
	msisdn := strings.TrimPrefix(strings.TrimSpace(phone), "+")
	known, active := false, false
	if _, ok := payable(msisdn, ""); ok {
		known, active = s.momo.known(msisdn, "")
	}
	out := map[string]any{"known": known, "active": active}
	if known {
		s.momo.mu.Lock()
		name := s.momo.names[msisdn]
		s.momo.mu.Unlock()
		if name != "" && name != NameInactive {
			out["given_name"], out["family_name"] = providers.SplitName(name)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// NameClient asks a bulkpay sandbox's name directory (GET
// /_sandbox/names/{phone}): the name source of a sandbox, for any number.
type NameClient struct {
	URL  string // the sandbox's root
	HTTP *http.Client
}

// AccountName implements batch.NameChecker.
func (c NameClient) AccountName(ctx context.Context, phone string) (batch.NameInfo, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.URL, "/")+"/_sandbox/names/"+url.PathEscape(phone), nil)
	if err != nil {
		return batch.NameInfo{}, err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return batch.NameInfo{}, &providers.Error{Class: providers.ErrTransient, Provider: providers.SandboxNames, Op: "names", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return batch.NameInfo{}, &providers.Error{Class: providers.ErrTransient, Provider: providers.SandboxNames, Op: "names", HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("the sandbox answered %d", resp.StatusCode)}
	}
	var a struct {
		Known  bool   `json:"known"`
		Active bool   `json:"active"`
		Given  string `json:"given_name"`
		Family string `json:"family_name"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return batch.NameInfo{}, &providers.Error{Class: providers.ErrTransient, Provider: providers.SandboxNames, Op: "names", Message: "unreadable answer"}
	}
	return batch.NameInfo{Known: a.Known, Active: a.Active, Given: a.Given, Family: a.Family}, nil
}

// Covers implements the sandbox's reach as a name source: any number.
func (NameClient) Covers(country, carrier string) bool { return true }

var _ batch.NameChecker = NameClient{}
