package batch

import "context"

// SetRun makes s run its Runner through run, so that a test sees what the
// session asks of the runner without anything being sent.
func SetRun(s *Session, run func(ctx context.Context, r *Runner, b Batch) error) { s.run = run }

// HoldsWith is Holds with the lanes that say which account pays an item.
func HoldsWith(items []Item, needs []Need, costs Costs, lanes map[string]Lane) map[int64]bool {
	hold, _ := holdsOf(ItemsIn(items), needs, costs, lanes)
	return hold
}
