package urlcheck

import (
	"net/http"
	"strconv"
	"strings"
)

// ForwardedTrust says which proxy headers OIDCXForwardedHeaders trusts. The
// zero value trusts none of them (the module's default): the current URL is
// then built from the connection and the Host header only.
type ForwardedTrust struct {
	XForwardedHost  bool
	XForwardedPort  bool
	XForwardedProto bool
	Forwarded       bool
}

// CurrentURL reconstructs the URL of the current request as mod_auth_openidc
// 2.4.12.3 does (oidc_get_current_url in src/util.c). tls says whether the
// connection to us is TLS, localPort is the port it arrived on.
//
// scheme: Forwarded "proto=" when Forwarded is trusted, else the left-most
// X-Forwarded-Proto when that is trusted, else "https" for TLS and "http"
// otherwise. A value other than exactly "http" or "https" becomes "https".
//
// host: Forwarded "host=" when Forwarded is trusted, else the left-most
// X-Forwarded-Host when trusted, else the Host header (r.Host); a port is
// cut off, IPv6 literals keep their brackets. An HTTP/1.0 request without
// Host yields r.Host == ""; callers that know the virtual host's ServerName
// set r.Host to it beforehand, as Apache falls back to ServerName.
//
// port: the left-most X-Forwarded-Port when trusted; else, if a forwarded
// host was used, the port in it or none; else the port in the Host header;
// else none when a trusted X-Forwarded-Proto or Forwarded "proto=" is
// present; else localPort unless it is the scheme's default (80/443). A port
// given explicitly is kept even when it is the default ("host:443").
//
// full is scheme://host[:port] followed by the raw request target
// (r.RequestURI); for an absolute-form target only its path and query are
// appended.
//
// As in 2.4.12.3, trusting Forwarded means the X-Forwarded-Proto/-Host
// headers are not consulted for scheme and host even when Forwarded lacks
// proto= or host= (HEAD falls back to them). Forwarded is read
// simplistically, like the module: only the first element (up to the first
// ','), a case-insensitive search for "host=" or "proto=", the value ending
// at ';' or ' ', quotes not removed.
//
// Stricter than 2.4.12.3 (which would produce a broken URL or crash): a
// trusted header that is present but empty counts as absent; an
// X-Forwarded-Port that is not a decimal number up to 65535 counts as
// absent; such a port in Host or a forwarded host is dropped; Forwarded trusted but absent counts
// as absent (2.4.12.3 crashes); an IPv6 Host without ']' is kept whole
// (2.4.12.3 crashes); the scheme must be exactly "http" or "https"
// (2.4.12.3 also accepts variants with embedded white space); an
// absolute-form request target contributes only its path and query
// (2.4.12.3 appends the whole target to the base URL).
func CurrentURL(r *http.Request, trust ForwardedTrust, tls bool, localPort int) (scheme, host, port string, full string) {
	h := r.Header

	// scheme
	var fwdProto, xfp string
	var haveFwdProto, haveXFP bool
	if trust.Forwarded {
		fwdProto, haveFwdProto = forwardedParam(h, "proto")
	}
	if trust.XForwardedProto {
		xfp, haveXFP = leftMost(h, "X-Forwarded-Proto", ", ")
	}
	switch {
	case trust.Forwarded:
		scheme = fwdProto
		if !haveFwdProto {
			scheme = localScheme(tls)
		}
	case haveXFP:
		scheme = xfp
	default:
		scheme = localScheme(tls)
	}
	if scheme != "http" && scheme != "https" {
		scheme = "https"
	}

	// host (and the header the port comes from)
	var fwdHost string
	var haveFwdHost bool
	if trust.Forwarded {
		fwdHost, haveFwdHost = forwardedParam(h, "host")
	} else if trust.XForwardedHost {
		fwdHost, haveFwdHost = leftMost(h, "X-Forwarded-Host", ", ")
	}
	hostHdr := r.Host
	if haveFwdHost {
		hostHdr = fwdHost
	}
	host, hostPort, hasHostPort := splitHostPort(hostHdr)

	// port
	if trust.XForwardedPort {
		if xport, ok := leftMost(h, "X-Forwarded-Port", ", "); ok && validPort(xport) {
			port = xport
		}
	}
	if port == "" {
		switch {
		case haveFwdHost:
			if hasHostPort && validPort(hostPort) {
				port = hostPort
			}
		case hasHostPort && hostHdr != "":
			if validPort(hostPort) {
				port = hostPort
			}
		case haveXFP, haveFwdProto:
			// a proxy told us the scheme: assume its default port
		default:
			if !(scheme == "https" && localPort == 443) && !(scheme == "http" && localPort == 80) {
				port = strconv.Itoa(localPort)
			}
		}
	}

	base := scheme + "://" + host
	if port != "" {
		base += ":" + port
	}
	return scheme, host, port, base + requestPath(r)
}

func localScheme(tls bool) string {
	if tls {
		return "https"
	}
	return "http"
}

// leftMost returns the first token of the (merged) header, tokens being
// separated by any of the bytes in seps (apr_strtok semantics: empty tokens
// are skipped). ok is false when there is no token.
func leftMost(h http.Header, name, seps string) (string, bool) {
	v, ok := merged(h, name)
	if !ok {
		return "", false
	}
	for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		return tok, true
	}
	return "", false
}

// forwardedParam returns the value of param in the first element of the
// Forwarded header, read as mod_auth_openidc reads it: case-insensitive
// search for "param=", value up to ';' or ' ', quotes kept. An empty value
// counts as absent.
func forwardedParam(h http.Header, param string) (string, bool) {
	elem, ok := leftMost(h, "Forwarded", ",")
	if !ok {
		return "", false
	}
	i := strings.Index(asciiLower(elem), param+"=")
	if i < 0 {
		return "", false
	}
	v := elem[i+len(param)+1:]
	if j := strings.IndexByte(v, ';'); j >= 0 {
		v = v[:j]
	}
	if j := strings.IndexByte(v, ' '); j >= 0 {
		v = v[:j]
	}
	return v, v != ""
}

// splitHostPort cuts "host[:port]" the way the module does: for an IPv6
// literal the port separator is the first ':' after ']', otherwise the first
// ':'. A '[' without ']' leaves the value whole.
func splitHostPort(hp string) (host, port string, hasPort bool) {
	from := 0
	if strings.HasPrefix(hp, "[") {
		rb := strings.IndexByte(hp, ']')
		if rb < 0 {
			return hp, "", false
		}
		from = rb
	}
	c := strings.IndexByte(hp[from:], ':')
	if c < 0 {
		return hp, "", false
	}
	return hp[:from+c], hp[from+c+1:], true
}

// requestPath is the raw request target, or path and query of an
// absolute-form target.
func requestPath(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" && r.URL != nil {
		uri = r.URL.RequestURI()
	}
	if uri == "" || uri[0] == '/' || uri == "*" {
		return uri
	}
	// absolute-form: scheme "://" authority path-abempty [ "?" query ]
	if i := strings.Index(uri, "://"); i >= 0 {
		rest := uri[i+3:]
		if j := strings.IndexAny(rest, "/?"); j >= 0 {
			rest = rest[j:]
			if rest[0] == '?' {
				rest = "/" + rest
			}
			return rest
		}
		return "/"
	}
	return uri
}
