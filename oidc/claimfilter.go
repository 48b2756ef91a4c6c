package oidc

import "github.com/oidcgate/oidcgate/oidc/claims"

// filterClaims applies OIDCWhiteListedClaims/OIDCBlackListedClaims to one
// stored claims object. 2.4.12.3 filters when it stores the claims
// (oidc_session_set_filtered_claims, for the id_token and for userinfo
// alike); oidcgate stores them as received and filters when a stored
// session is decoded (newView), which gives the backend and Require claim
// the same claims while the configuration stays the same. The remote user
// was derived at login from the unfiltered claims, as in the module.
// The filter is built once, in New (nil when neither list is set).
func (rp *RelyingParty) filterClaims(c claims.Claims) claims.Claims {
	if rp.filter == nil {
		return c
	}
	return rp.filter.Apply(c)
}
