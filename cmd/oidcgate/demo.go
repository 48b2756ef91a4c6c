package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/oidcgate/oidcgate/internal/demo"
	"github.com/spf13/cobra"
)

// newDemoCmd is `oidcgate demo`; the work is in internal/demo.
func newDemoCmd(e env) *cobra.Command {
	var o demo.Options
	var logFormat string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a local demo: oidcgate, a development OpenID Provider and an echo backend (NOT FOR PRODUCTION)",
		Long: "demo serves examples/demo/000-default.conf (embedded in the binary) on " + demo.DefaultGateAddr +
			" with an embedded development OpenID Provider on " + demo.DefaultOPAddr + " and an echo backend on " +
			demo.DefaultEchoAddr + " that shows the headers oidcgate sends. NOT FOR PRODUCTION: fixed secrets and users " +
			"anyone can log in as. Ctrl-C stops all three.",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			o.Stdout = e.stdout
			o.Logger = newLogger(e, logFormat)
			o.LookupEnv = e.lookupEnv
			return demo.Run(ctx, o)
		},
	}
	cmd.Flags().StringVar(&o.GateAddr, "listen", demo.DefaultGateAddr, "oidcgate's address (host:port)")
	cmd.Flags().StringVar(&o.OPAddr, "op-listen", demo.DefaultOPAddr, "the development OpenID Provider's address")
	cmd.Flags().StringVar(&o.EchoAddr, "echo-listen", demo.DefaultEchoAddr, "the echo backend's address")
	cmd.Flags().StringVar(&o.AutoLogin, "auto-login", "", "log this demo user (zoe, juergen, li) in without the provider's chooser page")
	cmd.Flags().StringVar(&logFormat, "log-format", "text", "log format on standard error: text or json")
	return cmd
}

// newLogger is the demo's log: slog text or JSON on standard error.
func newLogger(e env, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(e.stderr, nil))
}
