package apacheconf

// lintStepUpChoice warns where OIDCUnAutzAction auth meets several
// providers (OIDCMetadataDir without OIDCDiscoverURL): the step-up
// starts without a provider, so mod_auth_openidc 2.4.12.3 writes its
// provider choice page — and then grants the request, which goes on to
// the handler (mod_proxy sends it to the backend with the user's
// identity, though Require denied it; measured: compat-tests
// TestStepUpProviders). oidcgate sends the choice page only.
func lintStepUpChoice(srv *Server, d *DirConfig, sink *diagSink, seen map[string]bool) {
	if srv == nil {
		return
	}
	v, ok := unAutzAction(d)
	if !ok || v.String() != "auth" || !hasClaimLine(d.Authz.Require) {
		return
	}
	if _, multi := srv.OIDC.Value("OIDCMetadataDir"); !multi {
		return
	}
	if _, ext := d.OIDC.Value("OIDCDiscoverURL"); ext {
		return // a Location to the external page: nothing is granted
	}
	key := "stepup|" + v.Pos.String()
	if seen[key] {
		return
	}
	seen[key] = true
	sink.add(SevWarning, StageCheck, v.Pos, "OIDCUnAutzAction",
		"set OIDCDiscoverURL for this path, or do not rely on the backend seeing requests a Require claim line refused",
		"OIDCUnAutzAction auth with OIDCMetadataDir: the step-up shows the provider choice page; mod_auth_openidc 2.4.12.3 then lets the refused request through to the handler (proxied with the user's identity), oidcgate sends the page only")
}

// hasClaimLine reports whether the tree has a Require claim or
// claims_expr line (the ones that run OIDCUnAutzAction).
func hasClaimLine(n *AuthzNode) bool {
	if n == nil {
		return false
	}
	if n.Kind == AuthzProvider {
		return n.Provider == "claim" || n.Provider == "claims_expr"
	}
	for _, c := range n.Children {
		if hasClaimLine(c) {
			return true
		}
	}
	return false
}
