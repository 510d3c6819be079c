package batch

import (
	"context"
	"fmt"

	"bulkpay/providers"
)

// addContacts registers, before any transfer, every payee of the lane's planned
// items that the provider does not know yet, in chunks, and remembers them in the
// Store so that a rerun does not add them again. A payee the provider refuses is
// rejected with the provider's reason; a call that fails stops the lane for this
// run (nothing was sent, the items stay planned).
func (r *run) addContacts(ctx context.Context, b Batch, l *lane) error {
	adder, ok := l.Provider.(ContactAdder)
	if !ok {
		return nil
	}
	name := l.Provider.Name()
	items, err := r.Store.Items(ctx, b.ID, Planned)
	if err != nil {
		return fmt.Errorf("read planned items: %w", err)
	}
	known, err := r.Store.Contacts(ctx, name)
	if err != nil {
		return fmt.Errorf("read %s contacts: %w", name, err)
	}
	var need []providers.Contact
	byPhone := map[string][]Item{}
	for _, it := range items {
		if it.Provider != name {
			continue
		}
		if !known[it.Phone] && len(byPhone[it.Phone]) == 0 {
			need = append(need, providers.Contact{Phone: it.Phone, Country: it.Country, Name: it.Name, Email: it.Email})
		}
		byPhone[it.Phone] = append(byPhone[it.Phone], it)
	}
	size := max(1, adder.ContactChunkSize())
	for start := 0; start < len(need); start += size {
		chunk := need[start:min(start+size, len(need))]
		// adding a contact twice is harmless (726): the Caller may send it again
		errs, err := providers.Call(ctx, l.caller, providers.Op{Name: "contacts", Idempotent: true},
			func(ctx context.Context) ([]error, error) { return adder.AddContacts(ctx, chunk) })
		if err != nil {
			if ctx.Err() != nil {
				return nil // cancelled: nothing sent, the items stay planned
			}
			l.halt(err)
			r.log.Warn("adding contacts failed; the provider's items wait for the next run", "provider", name, "err", err)
			return nil
		}
		var added []string
		var refused []Item
		var reasons []error
		for i, c := range chunk {
			if i < len(errs) && errs[i] != nil {
				for _, it := range byPhone[c.Phone] {
					refused, reasons = append(refused, it), append(reasons, errs[i])
				}
				continue
			}
			added = append(added, c.Phone)
		}
		if err := r.Store.RememberContacts(context.WithoutCancel(ctx), name, added); err != nil {
			return fmt.Errorf("remember %s contacts: %w", name, err)
		}
		for i, it := range refused {
			if err := r.apply(ctx, it, Change{ItemID: it.ID, From: Planned, To: Rejected, Message: reasons[i].Error(),
				Cause: fmt.Sprintf("%s refused the payee as a contact", name)}); err != nil {
				return err
			}
		}
	}
	return nil
}
