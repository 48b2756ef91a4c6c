package apacheconf

// mod_alias: Alias, AliasMatch, Redirect*, ScriptAlias.

var aliasSpecs = []Spec{}

var aliasHandlers = map[string]handler{}

// AliasDir holds per-directory settings.
type AliasDir struct{}

// Merge merges add on top of base with Apache's rules.
func (base *AliasDir) Merge(add *AliasDir) *AliasDir {
	if add == nil {
		return base
	}
	return add
}

// AliasServer holds per-server settings.
type AliasServer struct{}

// MergeVHost returns the settings of a virtual host: vh on top of main.
func (main *AliasServer) MergeVHost(vh *AliasServer) *AliasServer {
	if vh == nil {
		return main
	}
	return vh
}
