package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/spf13/cobra"
)

func newLintCmd(e env) *cobra.Command {
	var f configFlags
	var format string
	var verbose, quiet bool
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Migration report: what oidcgate does with every directive",
		Long: `lint reads each configuration (a file, or a directory holding apache2.conf or
httpd.conf, which then is the server root) and lists every directive with file:line,
its status (supported, ignored, unsupported, unknown) and why.

Exit status: 0 when everything is honoured, 1 when something is ignored or unsupported
that you should know about, 2 when something unsupported changes routing or security,
or the configuration is invalid.`,
		RunE: func(_ *cobra.Command, paths []string) error {
			base, err := f.options(e)
			if err != nil {
				return err
			}
			targets := []apacheconf.Options{base}
			if len(paths) > 0 {
				targets = nil
				for _, p := range paths {
					o, err := withPath(base, p)
					if err != nil {
						return err
					}
					targets = append(targets, o)
				}
			}
			worst := 0
			var reports []*apacheconf.LintReport
			for _, o := range targets {
				tree, diags := apacheconf.Read(o)
				reg := apacheconf.DefaultRegistry()
				cfg, cd := apacheconf.Compile(tree, reg)
				diags = append(diags, cd...)
				if !diags.HasErrors() {
					// What would stop serve (and Apache) from starting.
					diags = append(diags, apacheconf.CheckOIDC(cfg)...)
					diags = append(diags, apacheconf.LintOAuth(cfg)...)
					diags = append(diags, apacheconf.LintClientAuth(cfg)...)
					diags = append(diags, apacheconf.LintJWE(cfg)...)
					diags = append(diags, apacheconf.LintUnAutz(cfg)...)
					diags = append(diags, apacheconf.LintCacheStore(cfg)...)
					diags = append(diags, lintMetadataDirs(cfg)...)
				}
				rep := apacheconf.Lint(tree, reg, diags)
				reports = append(reports, rep)
				worst = max(worst, rep.Exit)
			}
			switch format {
			case "json":
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if len(reports) == 1 {
					_ = enc.Encode(reports[0])
				} else {
					_ = enc.Encode(reports)
				}
			case "text":
				for _, r := range reports {
					printLint(e, r, verbose, quiet)
				}
			default:
				return fmt.Errorf("--format must be text or json, not %q", format)
			}
			if worst != 0 {
				return exitError{worst}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also list supported directives and informational notes")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "leave out the harmlessly ignored directives (MPM tuning, listings…); the summary still counts them")
	return cmd
}

// mainFileIn picks the main file of a server root directory.
func mainFileIn(dir string) string {
	for _, name := range []string{"apache2.conf", "httpd.conf", "conf/httpd.conf"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return name
		}
	}
	return "apache2.conf"
}

func printLint(e env, r *apacheconf.LintReport, verbose, quiet bool) {
	for _, en := range r.Entries {
		if en.Status == "supported" && !verbose || en.Status == "ignored" && !en.Notable && quiet {
			continue
		}
		why := en.Why
		if why != "" {
			why = " — " + why
		}
		fmt.Fprintf(e.stdout, "%s: %s: %s%s\n", en.Location, en.Directive, en.Status, why)
	}
	for _, d := range r.Diagnostics {
		if d.Severity == "info" && !verbose {
			continue
		}
		hint := ""
		if d.Hint != "" {
			hint = " (" + d.Hint + ")"
		}
		fmt.Fprintf(e.stdout, "%s: %s: %s%s\n", d.Location, d.Severity, d.Message, hint)
	}
	printLintVerdict(e, r)
	fmt.Fprintf(e.stdout, "summary: %d supported, %d planned, %d ignored, %d unsupported, %d unknown; %d error(s), %d warning(s)\n",
		r.Counts["supported"], r.Counts["planned"], r.Counts["ignored"], r.Counts["unsupported"], r.Counts["unknown"], r.Counts["errors"], r.Counts["warnings"])
}

// printLintVerdict repeats, after a report whose ignored lines run to the
// hundreds on a stock Debian tree, the entries that make the exit status 2:
// what is unknown, or unsupported and changing routing or security.
func printLintVerdict(e env, r *apacheconf.LintReport) {
	var crit []string
	for _, en := range r.Entries {
		if en.Status == "unknown" || en.Status == "unsupported" && en.Critical {
			crit = append(crit, fmt.Sprintf("  %s: %s (%s)", en.Location, en.Directive, en.Status))
		}
	}
	if len(crit) == 0 {
		return
	}
	fmt.Fprintf(e.stdout, "exit status 2: unknown, or not honoured and changing routing or security (%d):\n", len(crit))
	for _, c := range crit {
		fmt.Fprintln(e.stdout, c)
	}
}
