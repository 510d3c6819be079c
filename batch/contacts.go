package batch

import (
	"context"
	"errors"
	"fmt"

	"bulkpay/providers"
)

// addContacts registers, before any transfer, every payee of the lane's planned
// items that the provider does not know yet, in chunks, and remembers them in the
// Store so that a rerun does not add them again. A payee the provider refuses is
// rejected with the provider's reason; a call that fails stops the lane for this
// run (nothing was sent, the items stay planned). The lane's planned items are
// read a page at a time: only the items of the payees waiting for their chunk
// are held.
func (r *run) addContacts(ctx context.Context, b Batch, l *lane) error {
	adder, ok := l.Provider.(ContactAdder)
	if !ok {
		return nil
	}
	name := l.Provider.Name()
	known, err := r.Store.Contacts(ctx, name)
	if err != nil {
		return fmt.Errorf("read %s contacts: %w", name, err)
	}
	size := max(1, adder.ContactChunkSize())
	var need []providers.Contact
	byPhone := map[string][]Item{}  // the items of the payees in need
	refusedBy := map[string]error{} // payees the provider refused in this run
	stopped := false                // a call failed: the lane waits for the next run
	errStop := errors.New("stopped")
	send := func(chunk []providers.Contact) error {
		// adding a contact twice is harmless (726): the Caller may send it again
		errs, err := providers.Call(ctx, l.caller, providers.Op{Name: "contacts", Idempotent: true},
			func(ctx context.Context) ([]error, error) { return adder.AddContacts(ctx, chunk) })
		if err != nil {
			stopped = true
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
				refusedBy[c.Phone] = errs[i]
				for _, it := range byPhone[c.Phone] {
					refused, reasons = append(refused, it), append(reasons, errs[i])
				}
			} else {
				added = append(added, c.Phone)
				known[c.Phone] = true // the store's answer is a copy of its own
			}
			delete(byPhone, c.Phone)
		}
		if err := r.Store.RememberContacts(context.WithoutCancel(ctx), name, added); err != nil {
			return fmt.Errorf("remember %s contacts: %w", name, err)
		}
		for i, it := range refused {
			if err := r.reject(ctx, it, name, reasons[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if known == nil {
		known = map[string]bool{}
	}
	err = r.eachPage(ctx, b, l, Planned, func(it Item) error {
		switch {
		case stopped:
			return errStop // the rest of the lane's items are not read
		case known[it.Phone]:
			return nil
		case refusedBy[it.Phone] != nil:
			return r.reject(ctx, it, name, refusedBy[it.Phone])
		}
		if len(byPhone[it.Phone]) == 0 {
			need = append(need, providers.Contact{Phone: it.Phone, Country: it.Country, Name: it.Name, Email: it.Email})
		}
		byPhone[it.Phone] = append(byPhone[it.Phone], it)
		if len(need) < size {
			return nil
		}
		chunk := need
		need = nil
		return send(chunk)
	})
	if errors.Is(err, errStop) {
		return nil
	}
	if err != nil || stopped || len(need) == 0 {
		return err
	}
	return send(need)
}

// reject records that the provider refused the item's payee as a contact.
func (r *run) reject(ctx context.Context, it Item, provider string, reason error) error {
	return r.apply(ctx, it, Change{ItemID: it.ID, From: Planned, To: Rejected, Message: reason.Error(),
		Cause: fmt.Sprintf("%s refused the payee as a contact", provider)})
}
