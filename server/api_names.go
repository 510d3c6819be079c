package server

import (
	"context"
	"errors"

	"bulkpay/batch"
	"bulkpay/identity"
)

// seesNames says whether a role may see the names registered behind
// numbers (personal data the providers tell): approvers and admins.
func seesNames(r identity.Role) bool { return r == identity.Approver || r == identity.Admin }

// errNoNameSource: no provider the server reaches can tell the name behind
// the number.
var errNoNameSource = errors.New("no provider can tell the name behind this number")

// accountName asks the first provider the server reaches that can tell the
// name behind a number of country on operator. The name is returned, never
// logged.
func (s *Server) accountName(ctx context.Context, phone, country, operator string) (batch.NameInfo, error) {
	conn, err := s.opt.Config.Connect(ctx, s.opt.Target)
	if err != nil {
		return batch.NameInfo{}, err
	}
	if conn.Close != nil {
		defer conn.Close()
	}
	for _, src := range conn.Names {
		if src.Covers(country, operator) {
			return src.Checker.AccountName(ctx, phone)
		}
	}
	return batch.NameInfo{}, errNoNameSource
}

// fillNames sets the registered first and last names of out (the seed's
// phone_info_verification_results) and its account's standing, for a role
// that may see them, when a provider can tell them.
func (s *Server) fillNames(ctx context.Context, rq *request, out *phoneInfoJSON, phone, country, operator string) {
	if !seesNames(rq.User.Role) {
		return
	}
	info, err := s.accountName(ctx, phone, country, operator)
	var account string
	switch {
	case errors.Is(err, errNoNameSource):
		account = "not_checkable"
	case err != nil:
		s.opt.Log.Warn("name lookup failed", "err", err) // never the name: errors do not hold it
		account = "not_checkable"
	case !info.Known:
		account = "unknown"
	case !info.Active:
		account = "inactive"
	default:
		account = "active"
		if info.Given != "" || info.Family != "" {
			given, family := info.Given, info.Family
			out.FirstName, out.LastName = &given, &family
		}
	}
	out.Account = account
}
