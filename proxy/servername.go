package proxy

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// canonicalName reports UseCanonicalName On for the merged configuration
// dir (per directory in Apache; the server's level when dir is nil).
func canonicalName(srv *apacheconf.Server, dir *apacheconf.DirConfig) bool {
	if dir == nil && srv != nil {
		dir = srv.Dir
	}
	return dir != nil && dir.Core != nil && dir.Core.Values["usecanonicalname"] == "on"
}

// serverNamePort is Apache's ap_get_server_name and ap_get_server_port:
// with UseCanonicalName Off (the default) the name and port of the Host
// header (lower-case, without a trailing dot or IPv6 brackets), else
// ServerName's; with On, ServerName's. The port falls back to
// ServerName's, then to the scheme's default.
func serverNamePort(r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig) (string, int) {
	name, port := "", 0
	if !canonicalName(srv, dir) && r.Host != "" {
		h, p, err := net.SplitHostPort(r.Host)
		if err != nil {
			h, p = r.Host, ""
		}
		name = strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
		if p != "" {
			port, _ = strconv.Atoi(p)
		}
	}
	if name == "" && srv != nil {
		name = srv.Name
	}
	if port == 0 && srv != nil {
		port = srv.NamePort
	}
	if port == 0 {
		port = 80
		if r.TLS != nil {
			port = 443
		}
	}
	return name, port
}

// urlHost is ap_get_server_name_for_url with the port when it is not the
// scheme's default: the host part of a self-referential URL.
func urlHost(r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig) string {
	name, port := serverNamePort(r, srv, dir)
	if strings.Contains(name, ":") {
		name = "[" + name + "]"
	}
	def := 80
	if r.TLS != nil {
		def = 443
	}
	if port != def {
		return name + ":" + strconv.Itoa(port)
	}
	return name
}

// selfURL is Apache's ap_construct_url(uri, r): the request's scheme, the
// server name for URLs and its port unless it is the scheme's default
// (as UseCanonicalName chooses them, for the request's merged
// configuration), then uri.
func selfURL(r *http.Request, uri string) string {
	var srv *apacheconf.Server
	var dir *apacheconf.DirConfig
	if st := stateOf(r); st != nil {
		srv, dir = st.srv, st.dir
	}
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	return scheme + urlHost(r, srv, dir) + uri
}
