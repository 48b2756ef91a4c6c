package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/proxy"
	"github.com/spf13/cobra"
)

func newServeCmd(e env) *cobra.Command {
	var f configFlags
	var logFormat string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the configuration (reverse proxy; OIDC login arrives in a later version)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			opts, err := f.options(e)
			if err != nil {
				return err
			}
			return serve(e, opts, logFormat)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&logFormat, "log-format", "text", "error log format on standard error: text or json")
	return cmd
}

func newLogger(e env, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(e.stderr, nil))
}

// serve runs until SIGTERM/SIGINT (fast stop) or SIGWINCH (graceful stop);
// SIGHUP and SIGUSR1 reload the configuration, keeping the old one when
// the new one has errors.
func serve(e env, opts apacheconf.Options, logFormat string) error {
	log := newLogger(e, logFormat)
	// A proxy allocates per request and keeps little: collecting at twice
	// the live heap instead of Go's 1× costs a few MB and gains about a
	// third of the throughput (compat-tests/bench). GOGC still decides
	// when set.
	if _, set := e.lookupEnv("GOGC"); !set {
		debug.SetGCPercent(200)
	}
	cfg, diags := apacheconf.Load(opts)
	if cfg == nil {
		printDiags(e.stderr, diags, false)
		return exitError{1}
	}
	printDiags(e.stderr, diags.Warnings(), false)
	srv := proxy.NewServer(cfg, log, e.lookupEnv)
	if err := srv.Listen(cfg); err != nil {
		return err
	}
	removePid, err := writePidFile(cfg)
	if err != nil {
		log.Warn(err.Error())
	}
	defer removePid()
	for _, a := range srv.Addrs() {
		log.Info("listening", "addr", a.String())
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGWINCH, syscall.SIGHUP, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	for {
		select {
		case err := <-done:
			return err
		case sig := <-sigs:
			switch sig {
			case syscall.SIGHUP, syscall.SIGUSR1:
				next, diags := apacheconf.Load(opts)
				if next == nil {
					log.Error("reload refused: the configuration has errors; still serving the previous one")
					printDiags(e.stderr, diags.Errors(), false)
					continue
				}
				srv.Reload(next)
				log.Info("configuration reloaded")
			case syscall.SIGWINCH:
				log.Info("graceful stop")
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				err := srv.Shutdown(ctx)
				cancel()
				<-done
				return err
			default:
				log.Info("stopping", "signal", fmt.Sprint(sig))
				srv.Close()
				<-done
				return nil
			}
		}
	}
}
