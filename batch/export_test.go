package batch

import "context"

// SetRun makes s run its Runner through run, so that a test sees what the
// session asks of the runner without anything being sent.
func SetRun(s *Session, run func(ctx context.Context, r *Runner, b Batch) error) { s.run = run }
