package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/internal/cli"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/ledger"
)

func newUsersCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Manage the people who sign in to bulkpay serve: add, list, disable, passwd, key",
		Args:  cobra.NoArgs,
		// runnable, so that an unknown subcommand is refused; alone, it shows its help
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var role string
	add := &cobra.Command{
		Use:   "add NAME --role initiator|approver|auditor|admin",
		Short: "Add a user; the password is read from the terminal (or from stdin when it is not a terminal)",
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Named(func(ctx context.Context, st *ledger.Store, name string) error {
			read := func() (string, error) { return cli.NewPassword(os.Stdin, a.stderr, name) }
			r, err := door.NewUser(ctx, st, cli.Login(), name, role, read, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "user %s added (%s)\n", name, r)
			return nil
		}),
	}
	add.Flags().StringVar(&role, "role", "", "initiator, approver, auditor or admin")
	_ = add.MarkFlagRequired("role")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the users: name, role, disabled, created",
		Args:  cobra.NoArgs,
		RunE: a.ledger().Run(func(ctx context.Context, st *ledger.Store, _ []string) error {
			users, err := st.Users(ctx)
			if err != nil {
				return err
			}
			return render.Users(a.stdout, users)
		}),
	}
	disable := &cobra.Command{
		Use:   "disable NAME",
		Short: "Disable a user: it can no longer sign in or use its API keys; its sessions end",
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Named(func(ctx context.Context, st *ledger.Store, name string) error {
			if err := door.DisableUser(ctx, st, cli.Login(), name, time.Now()); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "user %s disabled\n", name)
			return nil
		}),
	}
	passwd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a user's password (read as for add); its sessions end",
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Named(func(ctx context.Context, st *ledger.Store, name string) error {
			read := func() (string, error) { return cli.NewPassword(os.Stdin, a.stderr, name) }
			if err := door.SetPassword(ctx, st, name, read); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "password of %s changed\n", name)
			return nil
		}),
	}
	key := &cobra.Command{
		Use:   "key NAME",
		Short: "Make a new API key for a user and print it once (only its hash is kept)",
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Named(func(ctx context.Context, st *ledger.Store, name string) error {
			plain, err := door.NewAPIKey(ctx, st, name, time.Now())
			if err != nil {
				return err
			}
			render.APIKey(a.stdout, a.stderr, name, plain)
			return nil
		}),
	}
	cmd.AddCommand(add, list, disable, passwd, key)
	return cmd
}
