package claims

// Filter is OIDCWhiteListedClaims and OIDCBlackListedClaims as 2.4.12.3
// applies them (session.c oidc_session_set_filtered_claims): to the
// top-level claims of the id_token and of the userinfo response, each on
// its own, before they are stored in the session. Everything that reads the
// session's claims afterwards sees only what passed: the claim headers and
// variables, OIDC_id_token_payload, OIDC_userinfo_json, Require claim and
// Require claims_expr, the info hook. The remote user is derived at login
// from the unfiltered claims, and the serialized id_token and userinfo JWT
// are passed as received.
//
// Names match byte for byte (an APR hash lookup: case-sensitive, no
// normalisation, top-level names only — "realm_access.roles" names a claim
// with a dot in its name, not a nested one). A claim goes when it is black
// listed; otherwise, when a white list is configured, it stays only if it is
// on it. With both lists a claim must be on the white list and not on the
// black list. The zero value and nil keep every claim.
type Filter struct {
	white, black map[string]struct{}
	hasWhite     bool
}

// NewFilter compiles the two lists; nil (not configured) disables a list.
// A configured list is never empty in Apache (ITERATE needs an argument),
// but an empty word is a name like any other: OIDCWhiteListedClaims ""
// keeps nothing but a claim named "".
func NewFilter(white, black []string) *Filter {
	if white == nil && black == nil {
		return nil
	}
	f := &Filter{hasWhite: white != nil}
	if white != nil {
		f.white = make(map[string]struct{}, len(white))
		for _, n := range white {
			f.white[n] = struct{}{}
		}
	}
	if len(black) > 0 {
		f.black = make(map[string]struct{}, len(black))
		for _, n := range black {
			f.black[n] = struct{}{}
		}
	}
	return f
}

// Allowed reports whether the claim name passes the filter.
func (f *Filter) Allowed(name string) bool {
	if f == nil {
		return true
	}
	if _, ok := f.black[name]; ok {
		return false
	}
	if f.hasWhite {
		_, ok := f.white[name]
		return ok
	}
	return true
}

// Apply returns the claims that pass, in their order. It returns c itself
// when nothing is removed.
func (f *Filter) Apply(c Claims) Claims {
	if f == nil || c.obj == nil {
		return c
	}
	keep := 0
	for _, k := range c.obj.keys {
		if f.Allowed(k) {
			keep++
		}
	}
	if keep == len(c.obj.keys) {
		return c
	}
	o := newObject(keep)
	for i, k := range c.obj.keys {
		if f.Allowed(k) {
			o.set(k, c.obj.vals[i])
		}
	}
	return Claims{obj: o}
}
