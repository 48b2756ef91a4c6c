package main

import (
	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/spf13/cobra"
)

func newRoutesCmd(e env) *cobra.Command {
	var f configFlags
	var apacheS bool
	cmd := &cobra.Command{
		Use:   "routes [PATH]",
		Short: "Show virtual hosts, sections and rules in the order they apply (like apache2 -S)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts, err := optionalPath(&f, e, args)
			if err != nil {
				return err
			}
			cfg, diags := apacheconf.Load(opts)
			if cfg == nil {
				printDiags(e.stderr, diags, false)
				return exitError{1}
			}
			if apacheS {
				nameUnnamed(cfg)
				apacheconf.DumpVHosts(e.stdout, cfg)
				apacheconf.DumpRunConfig(e.stdout, cfg)
				return nil
			}
			apacheconf.DumpRoutes(e.stdout, cfg)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVarP(&apacheS, "apache", "S", false, "print apache2 -S's virtual host table")
	return cmd
}
