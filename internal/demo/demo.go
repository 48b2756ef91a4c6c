// Package demo runs `oidcgate demo`: the embedded development OpenID
// Provider (internal/devop), the echo backend (internal/echo) and oidcgate
// serving examples/demo/000-default.conf, all on loopback. NOT FOR
// PRODUCTION: fixed secrets, users anyone can log in as, plain HTTP.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	democonf "github.com/oidcgate/oidcgate/examples/demo"
	"github.com/oidcgate/oidcgate/internal/devop"
	"github.com/oidcgate/oidcgate/internal/echo"
	"github.com/oidcgate/oidcgate/proxy"
)

// The addresses examples/demo/000-default.conf is written for; the
// overrides in Options replace these literals in the configuration text.
const (
	DefaultGateAddr = "127.0.0.1:8080"
	DefaultOPAddr   = "127.0.0.1:9999"
	DefaultEchoAddr = "127.0.0.1:9998"
)

// The client registered at the provider, as the configuration names it.
const (
	ClientID     = "demo"
	ClientSecret = "demo-secret"
)

// Options configure a demo. The zero value runs the documented demo.
type Options struct {
	// GateAddr is oidcgate's listen address (host:port with a fixed
	// port; default DefaultGateAddr).
	GateAddr string
	// OPAddr and EchoAddr are the provider's and the echo backend's
	// listen addresses (defaults DefaultOPAddr, DefaultEchoAddr); port 0
	// picks a free port.
	OPAddr, EchoAddr string
	// AutoLogin, when it names a demo user's subject, logs that user in
	// without the provider's chooser page (tests, scripted demos).
	AutoLogin string
	// Stdout receives the banner; nil means no banner.
	Stdout io.Writer
	// Logger receives the three servers' logs; nil discards them.
	Logger *slog.Logger
	// LookupEnv is passed to the configuration reader and the proxy as
	// serve does (nil: no environment).
	LookupEnv func(string) (string, bool)
}

// Demo is a running demo.
type Demo struct {
	// GateURL, OPURL and EchoURL are the three servers' base URLs
	// (OPURL is the issuer).
	GateURL, OPURL, EchoURL string
	// Provider is the development OpenID Provider.
	Provider *devop.Provider

	log       *slog.Logger
	gate      *proxy.Server
	op, echo  *http.Server
	errc      chan error
	closeOnce sync.Once
}

// Config returns the demo's configuration text for the given addresses:
// examples/demo/000-default.conf with its three loopback addresses
// replaced.
func Config(gateAddr, opAddr, echoAddr string) string {
	return strings.NewReplacer(DefaultGateAddr, gateAddr, DefaultOPAddr, opAddr, DefaultEchoAddr, echoAddr).Replace(democonf.SiteConf())
}

// Start opens the three listeners and starts serving. It returns once all
// three accept connections.
func Start(opts Options) (*Demo, error) {
	if opts.GateAddr == "" {
		opts.GateAddr = DefaultGateAddr
	}
	if opts.OPAddr == "" {
		opts.OPAddr = DefaultOPAddr
	}
	if opts.EchoAddr == "" {
		opts.EchoAddr = DefaultEchoAddr
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Demo{log: log, errc: make(chan error, 3)}

	opLn, err := net.Listen("tcp", opts.OPAddr)
	if err != nil {
		return nil, fmt.Errorf("demo provider: %w", err)
	}
	echoLn, err := net.Listen("tcp", opts.EchoAddr)
	if err != nil {
		opLn.Close()
		return nil, fmt.Errorf("demo echo backend: %w", err)
	}
	d.OPURL = "http://" + opLn.Addr().String()
	d.EchoURL = "http://" + echoLn.Addr().String()
	d.GateURL = "http://" + opts.GateAddr
	d.Provider, err = devop.New(devop.Options{
		Issuer: d.OPURL,
		Clients: []devop.Client{{
			ID: ClientID, Secret: ClientSecret,
			RedirectURIs:           []string{d.GateURL + "/redirect_uri"},
			PostLogoutRedirectURIs: []string{d.GateURL + "/", d.GateURL + "/redirect_uri"},
		}},
		Users:     devop.DemoUsers(),
		AutoLogin: opts.AutoLogin,
		Logger:    log.With("server", "provider"),
	})
	if err != nil {
		opLn.Close()
		echoLn.Close()
		return nil, err
	}
	d.op = &http.Server{Handler: d.Provider, ReadHeaderTimeout: 10 * time.Second}
	d.echo = &http.Server{Handler: echo.New("oidcgate demo — echo backend"), ReadHeaderTimeout: 10 * time.Second}
	go d.serve("provider", func() error { return d.op.Serve(opLn) })
	go d.serve("echo", func() error { return d.echo.Serve(echoLn) })

	cfg, err := loadConfig(Config(opts.GateAddr, opLn.Addr().String(), echoLn.Addr().String()), opts.LookupEnv, log)
	if err != nil {
		d.Close()
		return nil, err
	}
	// As serve does: the proxy server on the configuration's Listen
	// addresses.
	d.gate = proxy.NewServer(cfg, log.With("server", "oidcgate"), opts.LookupEnv)
	if err := d.gate.Listen(cfg); err != nil {
		d.gate = nil
		d.Close()
		return nil, err
	}
	go d.serve("oidcgate", d.gate.Serve)
	return d, nil
}

// loadConfig reads the configuration text with apacheconf.Load, as serve
// reads a file: the text goes to a temporary file that is removed once
// the configuration is compiled (nothing reads it afterwards).
func loadConfig(text string, lookupEnv func(string) (string, bool), log *slog.Logger) (*apacheconf.Config, error) {
	dir, err := os.MkdirTemp("", "oidcgate-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "000-default.conf")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		return nil, err
	}
	cfg, diags := apacheconf.Load(apacheconf.Options{File: file, ServerRoot: dir, LookupEnv: lookupEnv})
	if cfg == nil {
		return nil, fmt.Errorf("the demo configuration was refused:\n%s", strings.ReplaceAll(fmt.Sprint(diags.Errors()), file, "examples/demo/000-default.conf"))
	}
	// Diagnostics name the embedded example, not the temporary copy.
	for _, w := range diags.Warnings() {
		log.Warn(strings.ReplaceAll(w.Error(), file, "examples/demo/000-default.conf"))
	}
	return cfg, nil
}

// serve runs one server and reports its unexpected end.
func (d *Demo) serve(name string, fn func() error) {
	err := fn()
	if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		d.errc <- fmt.Errorf("%s: %w", name, err)
		return
	}
	d.errc <- nil
}

// Err returns a channel that receives when one of the servers stops.
func (d *Demo) Err() <-chan error { return d.errc }

// Shutdown stops the three servers gracefully, bounded by ctx.
func (d *Demo) Shutdown(ctx context.Context) error {
	var errs []error
	d.closeOnce.Do(func() {
		if d.gate != nil {
			errs = append(errs, d.gate.Shutdown(ctx))
			d.gate.Close()
		}
		errs = append(errs, d.op.Shutdown(ctx), d.echo.Shutdown(ctx))
	})
	return errors.Join(errs...)
}

// Close stops the three servers at once.
func (d *Demo) Close() {
	d.closeOnce.Do(func() {
		if d.gate != nil {
			d.gate.Close()
		}
		_ = d.op.Close()
		_ = d.echo.Close()
	})
}

// Banner writes what the demo is, where to go and who to log in as.
func (d *Demo) Banner(w io.Writer) {
	fmt.Fprintf(w, `
  ======================================================================
   oidcgate demo  —  NOT FOR PRODUCTION
   fixed secrets, a development OpenID Provider anyone can log in to,
   plain HTTP on loopback
  ======================================================================

   Open %s/ in a browser.

   oidcgate          %s   (examples/demo/000-default.conf, embedded)
   OpenID Provider   %s   (client %s / %s)
   echo backend      %s   (shows the headers oidcgate sends)

   Users on the provider's page:
`, d.GateURL, d.GateURL, d.OPURL, ClientID, ClientSecret, d.EchoURL)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, u := range d.Provider.Users() {
		email, _ := u.Claims["email"].(string)
		fmt.Fprintf(tw, "     %s\t%s\t%s\temail_verified=%v\n", u.Subject, u.Name(), email, u.Claims["email_verified"])
	}
	tw.Flush()
	fmt.Fprint(w, "\n   Ctrl-C stops all three.\n\n")
}

// Run starts the demo, prints the banner to opts.Stdout and serves until
// ctx is done (Ctrl-C in the command) or a server fails; it then stops
// the three servers.
func Run(ctx context.Context, opts Options) error {
	d, err := Start(opts)
	if err != nil {
		return err
	}
	log := d.log
	log.Warn("oidcgate demo: NOT FOR PRODUCTION", "open", d.GateURL+"/", "provider", d.OPURL, "echo", d.EchoURL)
	if opts.Stdout != nil {
		d.Banner(opts.Stdout)
	}
	select {
	case <-ctx.Done():
		log.Info("oidcgate demo: stopping")
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := d.Shutdown(sctx); err != nil {
			d.Close()
		}
		return nil
	case err := <-d.errc:
		d.Close()
		if err == nil {
			err = errors.New("a demo server stopped")
		}
		return err
	}
}
