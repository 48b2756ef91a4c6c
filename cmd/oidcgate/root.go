package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitError carries an exit status out of a cobra command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// env is what commands need from the process: output streams and the
// environment lookup for ${VAR}.
type env struct {
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	// ready, when set, is called once serve listens (a server started
	// by -k start tells the starting process).
	ready func()
}

// configFlags are the Apache-style flags every config-reading command takes.
type configFlags struct {
	file, root  string
	defines     []string
	envvars     string
	envvarsFile string
}

func (f *configFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.file, "file", "f", "", "main configuration file (default apache2.conf in the server root)")
	cmd.Flags().StringVarP(&f.root, "server-root", "d", "", "initial ServerRoot (default /etc/apache2)")
	cmd.Flags().StringArrayVarP(&f.defines, "define", "D", nil, "define a parameter for <IfDefine> (repeatable)")
	cmd.Flags().StringVar(&f.envvars, "envvars", "auto", "read Debian's envvars file: auto (for <root>/apache2.conf), on, off")
	cmd.Flags().StringVar(&f.envvarsFile, "envvars-file", "", "envvars file to read (default <server root>/envvars)")
}

func (f *configFlags) options(e env) (apacheconf.Options, error) {
	o := apacheconf.Options{File: f.file, ServerRoot: f.root, Defines: f.defines, LookupEnv: e.lookupEnv, EnvvarsFile: f.envvarsFile}
	switch f.envvars {
	case "auto":
	case "on":
		o.Envvars = apacheconf.EnvvarsOn
	case "off":
		o.Envvars = apacheconf.EnvvarsOff
	default:
		return o, fmt.Errorf("--envvars must be auto, on or off, not %q", f.envvars)
	}
	if f.envvarsFile != "" && f.envvars == "auto" {
		o.Envvars = apacheconf.EnvvarsOn
	}
	return o, nil
}

// run is the whole program; it returns the exit status.
func run(args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	e := env{stdout: stdout, stderr: stderr, lookupEnv: lookupEnv}
	switch name := strings.TrimSuffix(filepath.Base(args[0]), ".exe"); {
	case name == "httpd", name == "apache2", name == "apachectl", name == "apache2ctl", name == "httpd-foreground", name == "apache2-foreground",
		strings.HasPrefix(name, "apache2ctl-"):
		return httpdCompat(filepath.Base(args[0]), args[1:], e)
	}
	root := newRootCmd(e)
	root.SetArgs(args[1:])
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintln(stderr, "oidcgate:", err)
		return 2
	}
}

func newRootCmd(e env) *cobra.Command {
	root := &cobra.Command{
		Use:           "oidcgate",
		Short:         "A single binary that replaces Apache httpd + mod_auth_openidc, reading the same config",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(e), newConfigtestCmd(e), newLintCmd(e), newRoutesCmd(e), newDemoCmd(e), newVersionCmd(e))
	return root
}

func newVersionCmd(e env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(e.stdout, "oidcgate %s (reads Apache/%s + mod_auth_openidc 2.4.12.3 configuration)\n", version, apacheconf.HTTPDVersion)
			return nil
		},
	}
}

// printDiags writes diagnostics for people, errors and warnings only unless
// verbose.
func printDiags(w io.Writer, ds apacheconf.Diagnostics, verbose bool) {
	for _, d := range ds {
		if d.Severity == apacheconf.SevInfo && !verbose {
			continue
		}
		fmt.Fprintln(w, d.Error())
	}
}
