package main

import (
	"fmt"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// nameUnnamed names the servers that have no ServerName as Apache does
// (the machine's name, the main server's, or reverse DNS: see
// apacheconf.Config.NameUnnamed), for serving and for -S.
func nameUnnamed(cfg *apacheconf.Config) {
	if cfg != nil {
		cfg.NameUnnamed(apacheconf.LocalHostName, apacheconf.ReverseName)
	}
}

// ah00558 is the alert Apache writes when no ServerName is set and the
// machine's name is not fully qualified (measured on 2.4.71; "" otherwise),
// which apache2 -t, -S and -M print first.
func ah00558(argv0 string, cfg *apacheconf.Config) string {
	if cfg == nil || cfg.Main.Name != "" {
		return ""
	}
	name, fqdn := apacheconf.LocalHostNameFQDN()
	if fqdn {
		return ""
	}
	return fmt.Sprintf("AH00558: %s: Could not reliably determine the server's fully qualified domain name, using %s. Set the 'ServerName' directive globally to suppress this message\n", argv0, name)
}
