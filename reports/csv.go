package reports

import (
	"os"
	"path/filepath"
	"time"

	"github.com/gocarina/gocsv"

	"bulkpay/batch"
)

// ItemLine is one line of the per-item report.
type ItemLine struct {
	Row               int    `csv:"row"`
	Name              string `csv:"name"`
	Phone             string `csv:"phone"`
	Amount            int64  `csv:"amount"`
	Charge            int64  `csv:"charge"`
	Sent              int64  `csv:"sent"`
	Currency          string `csv:"currency"`
	Provider          string `csv:"provider"`
	Reference         string `csv:"reference"`
	ProviderReference string `csv:"provider_reference"`
	State             string `csv:"state"`
	Message           string `csv:"message"`
	Attempts          int    `csv:"attempts"`
	UpdatedAt         string `csv:"updated_at"`
	Environment       string `csv:"environment"`
}

// Lines turns items into report lines, in sheet order, every text cell neutralised.
func Lines(b batch.Batch, items []batch.Item) []ItemLine {
	env := "live"
	if b.Sandbox {
		env = "SANDBOX"
	}
	out := make([]ItemLine, len(items))
	for i, it := range items {
		out[i] = ItemLine{
			Row:               it.Row,
			Name:              Neutralize(it.Name),
			Phone:             it.Phone,
			Amount:            it.Amount,
			Charge:            it.Charge,
			Sent:              it.Send(),
			Currency:          b.Currency,
			Provider:          it.Provider,
			Reference:         it.Reference,
			ProviderReference: Neutralize(it.ProviderReference),
			State:             string(it.State),
			Message:           Neutralize(it.Message),
			Attempts:          it.Attempts,
			UpdatedAt:         it.UpdatedAt.UTC().Format(time.RFC3339),
			Environment:       env,
		}
	}
	return out
}

// Dir is where a batch's reports go below the reports directory.
func Dir(root string, b batch.Batch) string {
	return filepath.Join(root, safeName(b.Reference))
}

// WriteCSV writes DIR/<reference>/reconciliation.csv and returns its path.
func WriteCSV(root string, b batch.Batch, items []batch.Item) (string, error) {
	path := filepath.Join(Dir(root, b), "reconciliation.csv")
	lines := Lines(b, items)
	err := writeAtomic(path, func(f *os.File) error {
		return gocsv.Marshal(lines, f)
	})
	return path, err
}

// safeName keeps a reference usable as a directory name.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) == 0 || b[0] == '.' {
		return "_" + string(b)
	}
	return string(b)
}
