package server

import (
	"cmp"
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/identity"
	"bulkpay/ledger"
	"bulkpay/providers"
	"bulkpay/webhooks"
)

// Store is the ledger the server works on: everything the use cases consume,
// and the counts per provider a run's progress is drawn from.
type Store interface {
	batch.Store
	// NoteBy appends a batch-level event with the user who took the step.
	NoteBy(ctx context.Context, batchID int64, cause, detail, actor string) error
	// The providers' callbacks received, refused or not, and whether a run
	// holds a batch (an item in doubt under a run is the run's to settle).
	batch.CallbackLog
	batch.RunChecker
	ProviderTotals(ctx context.Context, batchID int64) (map[string]map[batch.State]batch.Total, error)
	// SetProfitConfig keeps a new version of a profit configuration; ProfitHistory is every version kept.
	SetProfitConfig(ctx context.Context, c batch.ProfitConfig, by string, at time.Time) (ledger.ProfitVersion, error)
	ProfitHistory(ctx context.Context) ([]ledger.ProfitVersion, error)
}

// UserStore is where users, sessions and failed sign-ins are kept.
type UserStore interface {
	User(ctx context.Context, name string) (identity.User, error)
	CreateSession(ctx context.Context, se identity.Session) error
	Session(ctx context.Context, tokenHash string, now time.Time) (identity.Session, identity.User, error)
	DeleteSession(ctx context.Context, tokenHash string, now time.Time) error
	RecordLoginFailure(ctx context.Context, name, address string, at time.Time) error
	LoginFailures(ctx context.Context, name string, since time.Time) (int, time.Time, error)
	ClearLoginFailures(ctx context.Context, name string) error
	UserByAPIKey(ctx context.Context, keyHash string) (identity.User, error)
	// The API's idempotency keys (see ledger.Store.ClaimKey).
	ClaimKey(ctx context.Context, userID int64, key, requestHash string, at time.Time) (identity.Replay, bool, error)
	SaveReplay(ctx context.Context, userID int64, key string, r identity.Replay) error
	ReleaseKey(ctx context.Context, userID int64, key string) error
}

// Options is how a Server is built.
type Options struct {
	Store  Store
	Users  UserStore
	Config config.Config
	// Target is where batches are paid: a sandbox URL, the config's
	// providers, or the built-in sandbox.
	Target config.Target
	// Policy is the approval rules batches planned here are held to.
	Policy batch.Policy
	// Secure: the browser reaches the server over TLS (directly or through a
	// proxy): cookies are sent only over TLS.
	Secure bool
	// PublicURL is where clients reach the server (the API's list links);
	// the request's own host when empty.
	PublicURL string
	// BehindProxy: the client's address is the last one in X-Forwarded-For.
	BehindProxy bool
	// Owner is this process, for the batches' locks.
	Owner batch.Owner
	// Callbacks verify the providers' callbacks, by provider; when nil, the
	// config's (config.Callbacks for Target). A provider left out has its
	// callbacks answered 404.
	Callbacks map[string]providers.CallbackParser
	// RevisitEvery is how often the items runs left in doubt after their
	// callback came are looked up again (batch.Revisit); 30s when 0, never
	// when negative.
	RevisitEvery time.Duration
	// Webhooks, when set, delivers the ledger's webhook outbox in the
	// background for as long as the server runs: a pass, then another once a
	// delivery is due or WebhooksIdle has passed (30s when 0).
	Webhooks     *webhooks.Deliverer
	WebhooksIdle time.Duration
	// Messenger sends the links' messages (invitations, reminders, codes);
	// when nil, SMS go where the payouts go (see Server.messenger).
	Messenger batch.Messenger
	// LinksEvery is how often the links of approved batches are sent their
	// invitations and due reminders, links past their expiry expire, and
	// claimed links left unpaid are paid (1m when 0, never when negative);
	// an approval starts a pass at once.
	LinksEvery time.Duration
	// Now is the clock of sessions, sign-in limits and events (time.Now when nil).
	Now func() time.Time
	// ProgressEvery is how often a progress stream reads the ledger's counts
	// when nothing in this process moved (a run in another process); 1s when 0.
	ProgressEvery time.Duration
	// Session is how long a sign-in lasts; 12h when 0.
	Session time.Duration
	// Passwords is the cost new passwords are hashed at, and an unknown
	// user's sign-in spends; identity.Standard when zero.
	Passwords identity.Argon2id
	Log       *slog.Logger
	// Admin is where the admin's settings change users; Users when it can,
	// when nil (the ledger can).
	Admin UserAdmin
}

// Sign-in limits: an account is locked for LockFor after LockAfter failures
// within LockFor; an address may try LoginBurst times at once, then once
// every LoginEvery.
const (
	LockAfter  = 5
	LockFor    = 15 * time.Minute
	LoginBurst = 10
	LoginEvery = 6 * time.Second
)

// Server serves the web app. Close it to stop its background runs.
type Server struct {
	opt     Options
	pages   map[string]*template.Template
	handler http.Handler
	runs    *runs
	uploads *uploads

	signIns *keyedLimiters // the sign-in rate of each address

	base   context.Context // ends when the server closes: runs and progress streams stop
	cancel context.CancelFunc
	bg     sync.WaitGroup // the revisits of callbacks

	builtinMu   sync.Mutex
	conn        *batch.Connection // the providers, once connected (the built-in sandbox, once started)
	builtinRoot string            // the built-in sandbox's URL, once started

	msgMu sync.Mutex
	msg   batch.Messenger // the links' messages go through it, once made (see messenger)

	claims  *claims       // the claim pages' rate limits and verified codes
	linkKey []byte        // keys the links' code hashes (LinkKeyEnv, or a key of this process)
	kick    chan struct{} // wakes the links' background pass (a batch was approved)
}

// New builds a server.
func New(opt Options) (*Server, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.ProgressEvery == 0 {
		opt.ProgressEvery = time.Second
	}
	opt.Passwords = cmp.Or(opt.Passwords, identity.Standard)
	if opt.Session == 0 {
		opt.Session = 12 * time.Hour
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Admin == nil {
		if a, ok := opt.Users.(UserAdmin); ok {
			opt.Admin = a
		} else {
			return nil, errors.New("the user store cannot list, add or disable users: give Options.Admin")
		}
	}
	if opt.Callbacks == nil {
		cbs, skipped, err := opt.Config.Callbacks(opt.Target)
		if err != nil {
			return nil, err
		}
		for _, why := range skipped {
			opt.Log.Warn("callbacks not verified: polling alone settles this provider's payouts", "why", why)
		}
		opt.Callbacks = cbs
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, pages: pages, signIns: newKeyedLimiters(LoginEvery, LoginBurst, maxKept), uploads: newUploads(64),
		claims: newClaims(), kick: make(chan struct{}, 1)}
	if s.linkKey, err = linkKey(); err != nil {
		return nil, err
	}
	s.base, s.cancel = context.WithCancel(context.Background())
	s.runs = newRuns(s)
	s.handler = s.routes()
	if every := cmp.Or(opt.RevisitEvery, 30*time.Second); every > 0 && len(opt.Callbacks) > 0 {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			s.revisit(every)
		}()
	}
	if every := cmp.Or(opt.LinksEvery, time.Minute); every > 0 {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			s.linksLoop(every)
		}()
	}
	if opt.Webhooks != nil {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			_ = opt.Webhooks.Run(s.base, cmp.Or(opt.WebhooksIdle, 30*time.Second)) // nil once the server closes
		}()
	}
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close cancels the runs in the background and waits for them to stop: each
// leaves its batch consistent in the ledger, to be resumed. Progress streams
// end too, so that an http.Server's Shutdown does not wait for them.
func (s *Server) Close() {
	s.cancel()
	s.runs.wait()
	s.bg.Wait()
	s.builtinMu.Lock()
	defer s.builtinMu.Unlock()
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// Sandbox says whether batches are paid through a sandbox here.
func (s *Server) Sandbox() bool {
	return s.opt.Config.Endpoint(s.opt.Target).IsSandbox()
}
