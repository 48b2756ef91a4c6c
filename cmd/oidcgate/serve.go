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
	"github.com/oidcgate/oidcgate/internal/errorlog"
	"github.com/oidcgate/oidcgate/proxy"
	"github.com/spf13/cobra"
)

func newServeCmd(e env) *cobra.Command {
	var f configFlags
	var logFormat string
	cmd := &cobra.Command{
		Use:   "serve [PATH]",
		Short: "Serve the configuration: reverse proxy and OpenID Connect login (default: /etc/apache2/apache2.conf)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts, err := optionalPath(&f, e, args)
			if err != nil {
				return err
			}
			return serve(e, opts, logFormat)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&logFormat, "log-format", "text", "error log: text (Apache's lines, to each ErrorLog) or json (JSON on standard error, whatever ErrorLog says)")
	return cmd
}

// notice logs at Apache's notice level, which the start, reload and stop
// lines use (written whatever LogLevel says, as Apache's are).
func notice(log *slog.Logger, msg string, args ...any) {
	log.Log(context.Background(), errorlog.LevelNotice, msg, args...)
}

// serve runs until SIGTERM/SIGINT (fast stop) or SIGWINCH (graceful stop);
// SIGHUP and SIGUSR1 reload the configuration, keeping the old one when
// the new one has errors.
func serve(e env, opts apacheconf.Options, logFormat string) error {
	if logFormat != "text" && logFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", logFormat)
	}
	logs := errorlog.New(errorlog.Options{JSON: logFormat == "json", Stderr: e.stderr, Stdout: e.stdout})
	defer logs.Close()
	log := logs.Logger()
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
	nameUnnamed(cfg)
	printDiags(e.stderr, apacheconf.NotHonoured(cfg.Tree, apacheconf.DefaultRegistry()), false)
	if err := logs.Configure(cfg); err != nil {
		log.Error(err.Error())
	}
	srv := proxy.NewServer(cfg, log, e.lookupEnv)
	defer srv.CloseStore()
	if err := srv.Listen(cfg); err != nil {
		return err
	}
	removePid, err := writePidFile(cfg)
	if err != nil {
		log.Warn(err.Error())
	}
	defer removePid()
	if len(cfg.Tree.Files) > 0 {
		notice(log, "serving", "config", cfg.Tree.Files[0].Path)
	}
	for _, a := range srv.Addrs() {
		notice(log, "listening", "addr", a.String())
	}
	if e.ready != nil {
		e.ready()
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
					// The reasons first: a reader (or test) that sees the
					// verdict has them already.
					printDiags(e.stderr, diags.Errors(), false)
					log.Error("reload refused: the configuration has errors; still serving the previous one")
					continue
				}
				nameUnnamed(next)
				// The error logs first: files are reopened (rotation) and
				// the new ErrorLog/LogLevel apply to the new site.
				if err := logs.Configure(next); err != nil {
					log.Error(err.Error())
				}
				srv.Reload(next)
				notice(log, "configuration reloaded")
			case syscall.SIGWINCH:
				notice(log, "graceful stop")
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				err := srv.Shutdown(ctx)
				cancel()
				<-done
				return err
			default:
				notice(log, "stopping", "signal", fmt.Sprint(sig))
				srv.Close()
				<-done
				return nil
			}
		}
	}
}
