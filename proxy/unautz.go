package proxy

import "github.com/oidcgate/oidcgate/oidc"

// unautz records that a Require claim / claims_expr line denied the
// authenticated user. mod_auth_openidc 2.4.12.3 runs its unauthorized
// handling inside the claim provider, at every such line, whatever the
// other lines then decide:
//
//   - resource server (oauth20, auth-openidc with a token): it sets
//     OIDC_OAUTH_BEARER_SCOPE_ERROR for "Header always set
//     WWW-Authenticate %{…}e" — done here, as the module does, even when
//     another line then grants;
//   - relying party: OIDCUnAutzAction 302, auth (a browser request) and
//     401/403 with a text write their page at once. When the whole
//     Require tree denies, denyOIDC sends that page, as Apache does.
//
// Deliberate difference: when another line grants (two bare Require
// lines, <RequireAny>, "Require not claim" that the user passes),
// Apache sends the page anyway and still proxies the request, throwing
// the backend's answer away (measured: compat-tests TestUnAutzOIDC) —
// the backend acts on a request the user is told was refused, and with
// "auth" every login ends on the step-up page again. oidcgate answers a
// granted request from the backend.
func (a *oidcAuthn) unautz(env map[string]string) {
	a.claimDenied = true
	if a.oauth && env != nil {
		env["OIDC_OAUTH_BEARER_SCOPE_ERROR"] = oidc.ScopeError
	}
}
