package batch

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Fee configuration names, as the platform's ProfitConfiguration.name.
const (
	FeeMobileMoney  = "mobile_money_disbursement_fee"
	FeeCashout      = "cash_out_fee"
	FeeBankTransfer = "bank_transfer_fee"
)

// Who bears the charge.
const (
	BearerSender      = "sender"      // the beneficiary receives the amount; the organisation pays amount + charge
	BearerBeneficiary = "beneficiary" // the beneficiary receives amount − charge
)

// ProfitConfig is one fee rule, as the platform's ProfitConfiguration: a fixed
// fee, or a percentage of the amount when UsePercentage.
type ProfitConfig struct {
	Name          string `yaml:"name" json:"name"`
	Fee           int64  `yaml:"fee" json:"fee"`
	Percentage    string `yaml:"percentage" json:"percentage,omitempty"`
	UsePercentage bool   `yaml:"use_percentage" json:"use_percentage"`
	Currency      string `yaml:"currency" json:"currency,omitempty"`
}

// Fees are the profit configurations in force for a batch and who bears them.
type Fees struct {
	Configs []ProfitConfig `json:"profit_configurations"`
	Bearer  string         `json:"bearer"`
}

// feeName maps a payment mode to its fee configuration.
func feeName(mode string) string {
	switch mode {
	case ModeCashout:
		return FeeCashout
	case ModeBankTransfer:
		return FeeBankTransfer
	default:
		return FeeMobileMoney
	}
}

// Validate checks every configuration: known names, non-negative fixed fees,
// percentages that are exact decimals between 0 and 100, and the bearer.
func (f Fees) Validate() error {
	var errs []error
	for _, c := range f.Configs {
		switch c.Name {
		case FeeMobileMoney, FeeCashout, FeeBankTransfer, "sms_fee", "whatsapp_fee", "mobile_money_collection_fee":
		default:
			errs = append(errs, fmt.Errorf("profit configuration %q: not a name bulkpay knows", c.Name))
		}
		if c.Fee < 0 {
			errs = append(errs, fmt.Errorf("profit configuration %s: fee %d is negative", c.Name, c.Fee))
		}
		if c.UsePercentage {
			p, err := parsePercent(c.Percentage)
			if err != nil {
				errs = append(errs, fmt.Errorf("profit configuration %s: %w", c.Name, err))
			} else if p.Sign() < 0 || p.Cmp(big.NewRat(100, 1)) > 0 {
				errs = append(errs, fmt.Errorf("profit configuration %s: percentage %s is not between 0 and 100", c.Name, c.Percentage))
			}
		}
	}
	if f.Bearer != "" && f.Bearer != BearerSender && f.Bearer != BearerBeneficiary {
		errs = append(errs, fmt.Errorf("fee bearer %q: write sender or beneficiary", f.Bearer))
	}
	return errors.Join(errs...)
}

// parsePercent reads a decimal string ("1.5", "2", "0.25") exactly.
func parsePercent(s string) (*big.Rat, error) {
	s = strings.TrimSpace(s)
	intPart, frac, _ := strings.Cut(s, ".")
	if s == "" || strings.Trim(intPart+frac, "0123456789") != "" || intPart+frac == "" {
		return nil, fmt.Errorf("percentage %q is not a decimal number like 1.5", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("percentage %q is not a decimal number like 1.5", s)
	}
	return r, nil
}

// Charge is our fee on one item: the configuration for its mode, a fixed fee or
// a percentage of the amount rounded half up to the franc (1.5% of 1100 = 16.5 →
// 17; of 1033 = 15.495 → 15). No configuration for the mode: no charge.
func (f Fees) Charge(mode string, amount int64) (int64, error) {
	name := feeName(mode)
	for _, c := range f.Configs {
		if c.Name != name {
			continue
		}
		if !c.UsePercentage {
			return c.Fee, nil
		}
		p, err := parsePercent(c.Percentage)
		if err != nil {
			return 0, err
		}
		// amount × p / 100, half up: floor((2·amount·num + 100·den) / (200·den))
		num := new(big.Int).Mul(big.NewInt(amount), p.Num())
		num.Mul(num, big.NewInt(2))
		num.Add(num, new(big.Int).Mul(big.NewInt(100), p.Denom()))
		den := new(big.Int).Mul(big.NewInt(200), p.Denom())
		q := new(big.Int).Quo(num, den)
		if !q.IsInt64() {
			return 0, fmt.Errorf("charge on %d overflows", amount)
		}
		return q.Int64(), nil
	}
	return 0, nil
}

// Payout is what the beneficiary receives for an amount and its charge.
func (f Fees) Payout(amount, charge int64) int64 {
	if f.Bearer == BearerBeneficiary {
		return amount - charge
	}
	return amount
}

// Cost is what the organisation pays for an item: amount + charge when it bears
// the charge, the amount alone otherwise.
func (f Fees) Cost(amount, charge int64) int64 {
	if f.Bearer == BearerBeneficiary {
		return amount
	}
	return amount + charge
}

// With is f with c in force: it replaces the configuration of the same name,
// or is added when f has none.
func (f Fees) With(c ProfitConfig) Fees {
	out := Fees{Bearer: f.Bearer, Configs: make([]ProfitConfig, 0, len(f.Configs)+1)}
	replaced := false
	for _, x := range f.Configs {
		if x.Name == c.Name {
			x, replaced = c, true
		}
		out.Configs = append(out.Configs, x)
	}
	if !replaced {
		out.Configs = append(out.Configs, c)
	}
	return out
}
