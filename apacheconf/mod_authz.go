package apacheconf

// mod_authz_core, mod_authz_host, mod_authz_user, mod_authn_core, mod_access_compat: Require trees, AuthType, AuthName, AuthMerging.

var authzSpecs = []Spec{}

var authzHandlers = map[string]handler{}

// AuthzDir holds per-directory settings.
type AuthzDir struct{}

// Merge merges add on top of base with Apache's rules.
func (base *AuthzDir) Merge(add *AuthzDir) *AuthzDir {
	if add == nil {
		return base
	}
	return add
}
