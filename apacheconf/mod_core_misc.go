package apacheconf

// Core directives other than the structural ones (see specs_core.go):
// per-server and per-directory settings such as ErrorDocument, Options,
// Timeout, KeepAlive, AllowEncodedSlashes, DocumentRoot.

var coreMiscSpecs = []Spec{}

var coreMiscHandlers = map[string]handler{}

// CoreServer holds core per-server settings.
type CoreServer struct{}

// MergeVHost returns the settings of a virtual host: vh on top of main.
func (main *CoreServer) MergeVHost(vh *CoreServer) *CoreServer {
	if vh == nil {
		return main
	}
	return vh
}

// CoreDir holds core per-directory settings.
type CoreDir struct{}

// Merge merges add on top of base with Apache's rules.
func (base *CoreDir) Merge(add *CoreDir) *CoreDir {
	if add == nil {
		return base
	}
	return add
}
