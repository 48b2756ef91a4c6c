package apacheconf

// mod_ssl: SSLEngine, certificates, protocols, SSLProxy*.

var sslSpecs = []Spec{}

var sslHandlers = map[string]handler{}

// SSLServer holds per-server settings.
type SSLServer struct{}

// MergeVHost returns the settings of a virtual host: vh on top of main.
func (main *SSLServer) MergeVHost(vh *SSLServer) *SSLServer {
	if vh == nil {
		return main
	}
	return vh
}
