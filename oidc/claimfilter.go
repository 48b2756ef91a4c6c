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
//
// Current upstream then runs OIDCFilterClaimsExpr's jq program on what the
// lists let through (oidc_session_jq_filter_apply); when the program fails
// or its result is not an object it stores no claims of that kind at all,
// which ok=false reports.
func (rp *RelyingParty) filterClaims(c claims.Claims) (out claims.Claims, ok bool) {
	if rp.filter != nil {
		c = rp.filter.Apply(c)
	}
	if f := rp.s.FilterClaimsExpr; f != nil {
		res, err := f.Apply(c)
		if err != nil {
			rp.log.Error("JQ filtering of claims resulted in invalid JSON object", "filter", f.Source(), "err", err)
			return claims.Claims{}, false
		}
		c = res
	}
	return c, true
}

// filtersClaims reports whether filterClaims changes anything.
func (rp *RelyingParty) filtersClaims() bool {
	return rp.filter != nil || rp.s.FilterClaimsExpr != nil
}

// filteredJSON is stored claims as filterClaims leaves them; nil when
// nothing is left (or nothing was stored).
func (rp *RelyingParty) filteredJSON(raw []byte) []byte {
	c, err := claims.Parse(raw)
	if len(raw) == 0 || err != nil {
		return raw
	}
	if c, ok := rp.filterClaims(c); ok {
		return c.JSON()
	}
	return nil
}
