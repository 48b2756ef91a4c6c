package oidc

import (
	"net/http"
	"strings"
)

// identity is what the identity values of one decoded session (or one
// validated bearer token) come to under one set of per-directory settings:
// the request headers and environment variables passIdentity (or the
// resource server) would set, each name with its final spelling and value.
// It is computed once, by running the per-value code on an empty request,
// and then laid over each request, which is what made an authenticated
// request several times the cost of its proxying.
//
// It is immutable once built; every request gets its own copy of the
// header values (RequestHeader edit changes values in place).
type identity struct {
	key identityKey
	// names, values: the headers, sorted by name (headers shares them).
	names, values []string
	// envNames, envValues are the environment variables.
	envNames, envValues []string
	// headers are names and values for a caller that takes them whole
	// (Request.DeferHeaders); its index of lower-cased names also finds
	// an incoming header of the same name in another spelling, which goes
	// as setHeader (Apache's case-insensitive apr_table_set) removes it.
	headers *IdentityHeaders
}

// identityKey is everything besides the session (or token) that the
// identity values depend on.
type identityKey struct {
	owner                                     any // the *RelyingParty or *ResourceServer
	authnHeader, passEncoding                 string
	passHeaders, passEnv, passRefresh, hideAT bool
}

func keyFor(owner any, d *DirSettings) identityKey {
	return identityKey{owner: owner, authnHeader: d.AuthNHeader, passEncoding: d.PassEncoding,
		passHeaders: d.PassHeaders, passEnv: d.PassEnv, passRefresh: d.PassRefreshToken, hideAT: d.HideAccessToken}
}

// recordIdentity runs set (the code that sets the identity values through
// an exchange) on an empty request with dir and returns what it set.
func recordIdentity(key identityKey, dir *DirSettings, set func(x *exchange)) *identity {
	x := &exchange{r: &http.Request{Header: http.Header{}}, q: &Request{Env: map[string]string{}}, dir: dir}
	set(x)
	x.releaseIndex()
	id := &identity{key: key, names: make([]string, 0, len(x.r.Header)), values: make([]string, 0, len(x.r.Header)),
		envNames: make([]string, 0, len(x.q.Env)), envValues: make([]string, 0, len(x.q.Env))}
	for k, v := range x.q.Env {
		id.envNames = append(id.envNames, k)
		id.envValues = append(id.envValues, v)
	}
	for k, v := range x.r.Header {
		if len(v) != 1 {
			// setHeader always sets one value; anything else is not a
			// shape apply reproduces.
			return nil
		}
		id.names = append(id.names, k)
		id.values = append(id.values, v[0])
	}
	id.headers = newIdentityHeaders(id.names, id.values)
	return id
}

// apply sets the identity on the request, with the same outcome as
// setting each value through setHeader and setAppInfo: an incoming header
// whose name matches one set here in another spelling is removed, one in
// the same spelling replaced.
func (id *identity) apply(x *exchange) {
	// The name index (if setHeader built one) would not know the new map's
	// names: the next setHeader builds it again.
	x.releaseIndex()
	if len(id.names) > 0 {
		// The incoming headers these replace go, in every spelling.
		var buf [96]byte
		for k := range x.r.Header {
			if _, ok := id.spelling(&buf, k); ok {
				delete(x.r.Header, k)
			}
		}
		if x.q.DeferHeaders {
			x.res.Headers = id.headers // the caller adds or forwards them
		} else {
			// A map sized for all at once: adding ~30 to the client's few
			// would grow it several times.
			nh := make(http.Header, len(x.r.Header)+len(id.names))
			for k, v := range x.r.Header {
				nh[k] = v
			}
			id.headers.AddTo(nh)
			x.r.Header = nh
		}
	}
	if x.q.Env != nil {
		for i, k := range id.envNames {
			x.q.Env[k] = id.envValues[i]
		}
	}
}

// spelling is the spelling of the identity header whose name is k in any
// case (strings.ToLower's, as setHeader compares), lower-cased in buf when
// it is ASCII and fits, so that the look-up does not allocate.
func (id *identity) spelling(buf *[96]byte, k string) (string, bool) {
	if len(k) <= len(buf) {
		b := buf[:len(k)]
		ascii := true
		for i := 0; i < len(k) && ascii; i++ {
			c := k[i]
			if c >= 0x80 {
				ascii = false
			} else if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		if ascii {
			i, ok := id.headers.index[string(b)]
			if !ok {
				return "", false
			}
			return id.headers.names[i], true
		}
	}
	i, ok := id.headers.index[strings.ToLower(k)]
	if !ok {
		return "", false
	}
	return id.headers.names[i], true
}

// viewIdentity is the identity values of the session's decoded form v
// under the request's settings, computed once per view and settings; nil
// when they cannot be reused: s no longer holds what v was decoded from
// (a refresh in this request changed it), or OIDCUserInfoClaimsExpr is
// evaluated per request.
//
// A view is only ever used for the stored value it was decoded from (a
// refresh, a userinfo update or a logout stores another value or none,
// and loadView decodes that anew), so what is kept here can be neither
// stale nor another session's.
func (rp *RelyingParty) viewIdentity(x *exchange, s *session, v *sessionView) *identity {
	d := x.dir
	if d.UserInfoClaimsExpr != nil || d.UserInfoClaimsExprErr != nil || v.s == nil || !sameIdentity(s, v.s) {
		return nil
	}
	key := keyFor(rp, d)
	if id := v.identity.Load(); id != nil && id.key == key {
		return id
	}
	id := recordIdentity(key, d, func(rx *exchange) { rp.setIdentity(rx, v.s, v) })
	if id != nil {
		v.identity.Store(id)
	}
	return id
}

// sameIdentity reports whether s still has a's identity values (the
// fields passIdentity reads besides the decoded claims).
func sameIdentity(s, a *session) bool {
	return s.RemoteUser == a.RemoteUser && s.UserInfoJWT == a.UserInfoJWT && s.IDToken == a.IDToken &&
		s.RefreshToken == a.RefreshToken && s.AccessToken == a.AccessToken && s.AccessTokenExpires == a.AccessTokenExpires &&
		string(s.IDTokenClaims) == string(a.IDTokenClaims) && string(s.UserInfoClaims) == string(a.UserInfoClaims)
}
