package oidc

import "github.com/oidcgate/oidcgate/oidc/claims"

// uiExprResult is what OIDCUserInfoClaimsExpr leaves of a session's
// userinfo claims, for one program.
type uiExprResult struct {
	prog *claims.JQFilter
	userInfoPass
}

// userInfoPass is the userinfo a request passes to the backend.
type userInfoPass struct {
	// pass: the claims (OIDCPassUserInfoAs claims) and JSON (json,
	// json:NAME) are passed.
	pass  bool
	pairs []claims.Pair
	json  string
	// failed: OIDCUserInfoClaimsExpr failed; nothing of the userinfo is
	// passed, not even the JWT.
	failed bool
}

// userInfoToPass applies upstream's OIDCUserInfoClaimsExpr
// (oidc_userinfo_resolve_claims): a per-directory jq program run on the
// session's userinfo claims — after OIDCWhiteListedClaims,
// OIDCBlackListedClaims and OIDCFilterClaimsExpr — that changes only what
// OIDCPassUserInfoAs claims and json pass. Require claim, the id_token's
// claims and the info hook still see the stored claims. With a program
// and no userinfo in the session, upstream runs it on {} and passes the
// result. When the program fails or its last output is not an object no
// userinfo at all is passed (the JWT neither). The result is cached on the
// decoded session for the last program.
func (rp *RelyingParty) userInfoToPass(x *exchange, v *sessionView) userInfoPass {
	prog := x.dir.UserInfoClaimsExpr
	if x.dir.UserInfoClaimsExprErr != nil {
		// The evaluated program did not compile: upstream passes the claims
		// unfiltered; a filter exists to hide claims, so oidcgate passes none.
		rp.log.Error("OIDCUserInfoClaimsExpr", "err", x.dir.UserInfoClaimsExprErr)
		return userInfoPass{failed: true}
	}
	if prog == nil {
		return userInfoPass{pass: v.hasUserInfo, pairs: v.uiPairs, json: v.uiJSONValue}
	}
	if c := v.uiExpr.Load(); c != nil && c.prog == prog {
		return c.userInfoPass
	}
	var in claims.Claims
	if v.hasUserInfo {
		in = v.uic
	}
	var res userInfoPass
	if out, err := prog.Apply(in); err != nil {
		rp.log.Error("JQ filtering of claims for [userinfo] resulted in invalid JSON object", "filter", prog.Source(), "err", err)
		res.failed = true
	} else {
		res = userInfoPass{pass: true, pairs: claims.Render(out, rp.s.ClaimPrefix, rp.s.ClaimDelimiter), json: string(out.JSON())}
	}
	v.uiExpr.Store(&uiExprResult{prog: prog, userInfoPass: res})
	return res
}
