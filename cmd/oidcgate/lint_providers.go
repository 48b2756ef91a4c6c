package main

import (
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/oidc"
)

// lintMetadataDirs reports the files of every OIDCMetadataDir that cannot
// be used or are not fully honoured, at the directive.
func lintMetadataDirs(cfg *apacheconf.Config) apacheconf.Diagnostics {
	var out apacheconf.Diagnostics
	seen := map[string]bool{}
	for _, srv := range append([]*apacheconf.Server{cfg.Main}, cfg.VHosts...) {
		if srv == nil || srv.OIDC == nil {
			continue
		}
		v, ok := srv.OIDC.Value("OIDCMetadataDir")
		if !ok {
			continue
		}
		if _, ok := srv.OIDC.Value("OIDCDiscoverIssuersAllowed"); !ok {
			out = append(out, apacheconf.Diagnostic{Severity: apacheconf.SevWarning, Stage: apacheconf.StageCheck, Pos: v.Pos,
				Directive: "OIDCMetadataDir", Msg: "any visitor can make the server fetch https://<a host they name>/.well-known/webfinger and that issuer's " +
					"discovery document (as mod_auth_openidc does); restrict the issuers with OIDCDiscoverIssuersAllowed inside <IfModule oidcgate.c>"})
		}
		if seen[v.String()] {
			continue
		}
		seen[v.String()] = true
		for _, p := range oidc.CheckMetadataDir(v.String(), time.Now()) {
			// Warnings even for an unusable provider: the files may be
			// fixed while the server runs (they are read on use).
			msg := p.File + ": " + p.Msg
			if p.Error {
				msg = "unusable provider: " + msg
			}
			out = append(out, apacheconf.Diagnostic{Severity: apacheconf.SevWarning, Stage: apacheconf.StageCheck, Pos: v.Pos,
				Directive: "OIDCMetadataDir", Msg: msg})
		}
	}
	return out
}
