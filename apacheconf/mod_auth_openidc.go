package apacheconf

// mod_auth_openidc: every OIDC* directive.

var oidcSpecs = []Spec{}

var oidcHandlers = map[string]handler{}

// OIDCDir holds per-directory settings.
type OIDCDir struct{}

// Merge merges add on top of base with Apache's rules.
func (base *OIDCDir) Merge(add *OIDCDir) *OIDCDir {
	if add == nil {
		return base
	}
	return add
}

// OIDCServer holds per-server settings.
type OIDCServer struct{}

// MergeVHost returns the settings of a virtual host: vh on top of main.
func (main *OIDCServer) MergeVHost(vh *OIDCServer) *OIDCServer {
	if vh == nil {
		return main
	}
	return vh
}
