package apacheconf

// LintJWE notes the one place where oidcgate decrypts what 2.4.12.3
// refuses: a JWE id_token or userinfo response encrypted with A128KW or
// A192KW under the key derived from the client secret. 2.4.12.3 reads the
// JWE's alg (which sets the key's length) only inside a debug log call, so
// below LogLevel debug it uses the whole 32-byte hash and the unwrap fails
// (measured: compat-tests TestJWEOIDC); oidcgate always cuts the key to
// the alg's size (OpenID Connect Core 10.2), as the module does at debug
// level. lint only.
func LintJWE(cfg *Config) Diagnostics {
	if cfg == nil {
		return nil
	}
	sink := &diagSink{}
	for _, srv := range append([]*Server{cfg.Main}, cfg.VHosts...) {
		if srv == nil || srv.OIDC == nil {
			continue
		}
		for _, n := range []string{"OIDCIDTokenEncryptedResponseAlg", "OIDCUserInfoEncryptedResponseAlg"} {
			v, ok := srv.OIDC.Value(n)
			if !ok || (v.String() != "A128KW" && v.String() != "A192KW") {
				continue
			}
			sink.add(SevWarning, StageCheck, v.Pos, n, "nothing to change: logins that failed behind Apache now work",
				"mod_auth_openidc 2.4.12.3 decrypts %s JWEs keyed with the client secret only at LogLevel debug (below it the login fails); oidcgate always decrypts them", v.String())
		}
	}
	return sink.diags
}
