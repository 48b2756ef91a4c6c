package proxy

import (
	"net/http"
	"strconv"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// signatureBanner is what the ServerSignature footer names instead of
// Apache's ServerTokens banner ("Apache/2.4.71 (Debian)"): oidcgate is
// not Apache, and it tells no version, as ServerTokens Prod.
const signatureBanner = "oidcgate"

// signature is Apache's ap_psignature("<hr>\n", r) for the request's
// merged configuration: "" for ServerSignature Off (the default), else
// the <address> line naming the server and port (ap_get_server_name and
// ap_get_server_port), with a mailto: link to ServerAdmin for EMail.
func signature(r *http.Request) string {
	st := stateOf(r)
	if st == nil || st.srv == nil {
		return ""
	}
	dir := st.dir
	if dir == nil {
		dir = st.srv.Dir
	}
	return signatureFor(r, st.srv, dir)
}

// signatureFor is the footer for srv and dir; r gives the Host and TLS
// (ap_get_server_name and ap_get_server_port).
func signatureFor(r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig) string {
	mode := ""
	if dir != nil && dir.Core != nil {
		mode = dir.Core.Values["serversignature"]
	}
	if mode != "on" && mode != "email" {
		return ""
	}
	name, port := serverNamePort(r, srv, dir)
	sport := strconv.Itoa(port)
	if mode == "on" {
		return "<hr>\n<address>" + signatureBanner + " Server at " + htmlEscape(name) + " Port " + sport + "</address>\n"
	}
	admin := "[no address given]"
	if srv.Core != nil && srv.Core.Values["serveradmin"] != "" {
		admin = srv.Core.Values["serveradmin"]
	}
	scheme := "mailto:"
	if isURL(admin) {
		scheme = ""
	}
	return "<hr>\n<address>" + signatureBanner + " Server at <a href=\"" + scheme + htmlEscape(admin) + "\">" +
		htmlEscape(name) + "</a> Port " + sport + "</address>\n"
}

// isURL is Apache's ap_is_url: a non-empty scheme of letters, digits,
// '+', '-' or '.' followed by ':'.
func isURL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i > 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '+', c == '-', c == '.':
		default:
			return false
		}
	}
	return false
}
