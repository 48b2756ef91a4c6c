package main

import "github.com/oidcgate/oidcgate/apacheconf"

// nameUnnamed names the servers that have no ServerName as Apache does
// (the machine's name, the main server's, or reverse DNS: see
// apacheconf.Config.NameUnnamed), for serving and for -S.
func nameUnnamed(cfg *apacheconf.Config) {
	if cfg != nil {
		cfg.NameUnnamed(apacheconf.LocalHostName, apacheconf.ReverseName)
	}
}
