package apacheconf

import "strings"

// LintOAuth warns about resource servers that validate JWT access tokens
// locally without OIDCOAuthVerifyIssuer or OIDCOAuthVerifyAudience: any
// token signed by one of the keys is then accepted, whoever it was issued
// for (GHSA-wcvh-g65p-v576). These are oidcgate's own warnings (lint only),
// not mod_auth_openidc's start-up messages, so configtest does not print
// them.
func LintOAuth(cfg *Config) Diagnostics {
	if cfg == nil {
		return nil
	}
	sink := &diagSink{}
	for _, srv := range append([]*Server{cfg.Main}, cfg.VHosts...) {
		if srv == nil || srv.OIDC == nil {
			continue
		}
		o := srv.OIDC
		has := func(name string) bool { _, ok := o.Value(name); return ok }
		if has("OIDCOAuthIntrospectionEndpoint") {
			continue
		}
		pos := srv.Pos
		found := false
		for _, n := range []string{"OIDCOAuthVerifyJwksUri", "OIDCOAuthVerifySharedKeys", "OIDCOAuthVerifyCertFiles"} {
			if v, ok := o.Value(n); ok {
				found = true
				if v.Pos.Line > 0 {
					pos = v.Pos
					break
				}
			}
		}
		if !found {
			continue
		}
		const hint = "set it inside <IfModule oidcgate.c> … </IfModule> so that Apache 2.4.12.3, which does not know it, skips it"
		if !has("OIDCOAuthVerifyIssuer") {
			sink.add(SevWarning, StageCheck, pos, "OIDCOAuthVerifyIssuer", hint,
				"JWT access tokens are validated locally without OIDCOAuthVerifyIssuer: a token signed by these keys is accepted whatever its issuer")
		}
		if !has("OIDCOAuthVerifyAudience") {
			sink.add(SevWarning, StageCheck, pos, "OIDCOAuthVerifyAudience", hint,
				"JWT access tokens are validated locally without OIDCOAuthVerifyAudience: a token signed by these keys for another audience (another API) is accepted here")
		}
	}
	// OIDCUnAuthAction pass where AuthType oauth20 applies: 2.4.12.3
	// ignores it there (measured: 401 without or with a bad token);
	// oidcgate's strip-and-pass is OIDCGateOAuthUnAuthAction.
	for _, srv := range append([]*Server{cfg.Main}, cfg.VHosts...) {
		if srv == nil {
			continue
		}
		for _, sec := range srv.Sections {
			d := sec.Dir
			if d == nil || d.OIDC == nil {
				continue
			}
			v, ok := d.OIDC.Value("OIDCUnAuthAction")
			if !ok || v.String() != "pass" {
				continue
			}
			at := ""
			if d.Authz != nil {
				at = d.Authz.AuthType
			}
			if strings.EqualFold(at, "oauth20") {
				sink.add(SevWarning, StageCheck, v.Pos, "OIDCUnAuthAction", "to let requests without a valid token through, use OIDCGateOAuthUnAuthAction pass inside <IfModule oidcgate.c>",
					"OIDCUnAuthAction pass has no effect with AuthType oauth20 (mod_auth_openidc answers 401 without a valid token)")
			}
		}
	}
	return sink.diags
}
