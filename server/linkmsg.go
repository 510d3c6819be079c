package server

import (
	"context"

	"bulkpay/batch"
	"bulkpay/internal/door"
)

// messenger is what link messages are sent through: Options.Messenger when
// set; else SMS go where the payouts go (the sandbox's simulator, the
// built-in sandbox's, or the config's sms account when paying live), and
// e-mail through the config's email section.
func (s *Server) messenger(ctx context.Context) (batch.Messenger, error) {
	if s.opt.Messenger != nil {
		return s.opt.Messenger, nil
	}
	s.msgMu.Lock()
	defer s.msgMu.Unlock()
	if s.msg != nil {
		return s.msg, nil
	}
	cfg, t := s.opt.Config, s.opt.Target
	root := t.SandboxURL
	if s.builtinEndpoint() {
		c, err := s.connect(ctx) // starts the built-in sandbox, whose root it keeps
		if err != nil {
			return nil, err
		}
		c.Close()
		s.builtinMu.Lock()
		root = s.builtinRoot
		s.builtinMu.Unlock()
	}
	m, err := door.Messenger(cfg, t, root)
	if err != nil {
		return nil, err
	}
	s.msg = m
	if m == nil {
		s.msg = door.Channels{} // each message fails, saying what to configure
	}
	return s.msg, nil
}
