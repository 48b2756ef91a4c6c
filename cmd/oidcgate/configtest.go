package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/spf13/cobra"
)

func newConfigtestCmd(e env) *cobra.Command {
	var f configFlags
	var apache, dumpIncludes, verbose bool
	cmd := &cobra.Command{
		Use:   "configtest [PATH]",
		Short: "Check a configuration like apache2 -t (exit 0 when it is valid)",
		Long: `configtest reads and compiles the configuration and reports every error and warning
with file:line and a hint. With --apache it prints exactly what apache2 -t prints
(Apache's wording, the first error only) and exits as apache2 -t does. PATH is a
configuration file or a server root directory (as for lint), instead of -f/-d.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts, err := optionalPath(&f, e, args)
			if err != nil {
				return err
			}
			return configtest(e, opts, apache, dumpIncludes, verbose, "apache2")
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&apache, "apache", false, "print apache2 -t's output and exit status")
	cmd.Flags().BoolVar(&dumpIncludes, "dump-includes", false, "list the included files (apache2 -t -D DUMP_INCLUDES)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also print informational notes")
	return cmd
}

func configtest(e env, opts apacheconf.Options, apache, dumpIncludes, verbose bool, prog string) error {
	if apache {
		opts.Strict = true // exactly Apache's reading: no fragment mode
	}
	tree, diags := apacheconf.Read(opts)
	reg := apacheconf.DefaultRegistry()
	cfg, cd := apacheconf.Compile(tree, reg)
	diags = append(diags, cd...)
	if !apache && !diags.HasErrors() {
		// apache2 -t stops before the modules' start-up checks; oidcgate's
		// own report includes them, so "Syntax OK" means serve will start.
		diags = append(diags, apacheconf.CheckOIDC(cfg)...)
		diags = append(diags, apacheconf.NotHonoured(tree, reg)...)
	}
	if dumpIncludes {
		apacheconf.DumpIncludes(e.stdout, tree)
	}
	if apache {
		out, code := apacheconf.ApacheResult(diags, tree.Modules, prog, time.Now())
		if code == 0 {
			// The machine-name alert comes after the reading warnings.
			out = strings.TrimSuffix(out, "Syntax OK\n") + ah00558(prog, cfg)
			if !dumpIncludes {
				// apache2 -t -D DUMP_INCLUDES lists the files and says
				// no "Syntax OK" (measured on 2.4.71).
				out += "Syntax OK\n"
			}
		}
		fmt.Fprint(e.stderr, out)
		if code != 0 {
			return exitError{code}
		}
		return nil
	}
	printDiags(e.stderr, diags, verbose)
	if diags.HasErrors() {
		fmt.Fprintf(e.stderr, "%d error(s), %d warning(s)\n", len(diags.Errors()), len(diags.Warnings()))
		return exitError{1}
	}
	fmt.Fprintln(e.stderr, "Syntax OK")
	return nil
}
