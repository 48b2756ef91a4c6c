package apacheconf

// mod_proxy, mod_proxy_http, mod_proxy_balancer, mod_proxy_wstunnel: ProxyPass family, balancers, workers.

var proxySpecs = []Spec{}

var proxyHandlers = map[string]handler{}

// ProxyDir holds per-directory settings.
type ProxyDir struct{}

// Merge merges add on top of base with Apache's rules.
func (base *ProxyDir) Merge(add *ProxyDir) *ProxyDir {
	if add == nil {
		return base
	}
	return add
}

// ProxyServer holds per-server settings.
type ProxyServer struct{}

// MergeVHost returns the settings of a virtual host: vh on top of main.
func (main *ProxyServer) MergeVHost(vh *ProxyServer) *ProxyServer {
	if vh == nil {
		return main
	}
	return vh
}
