package proxy

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// ProxyVia and ProxyPassReverseCookieDomain/Path, as Debian's 2.4.71
// behaves (observed, compat-tests/https_backend_test.go).

// viaName is the "host[:port]" mod_proxy_http writes into Via: the
// request's host name (Host header, lower-case, without a trailing dot;
// the ServerName with UseCanonicalName On) and its port when it is not
// the scheme's default (the Host header's port, else ServerName's).
func viaName(r *http.Request, srv *apacheconf.Server) string {
	var dir *apacheconf.DirConfig
	if st := stateOf(r); st != nil {
		dir = st.dir
	}
	return urlHost(r, srv, dir)
}

// viaEntry is one Via element: "major.minor name[ (Apache/x)]".
func viaEntry(major, minor int, name, mode string) string {
	v := fmt.Sprintf("%d.%d %s", major, minor, name)
	if mode == "full" {
		v += " (Apache/" + apacheconf.HTTPDVersion + ")"
	}
	return v
}

// viaRequest applies ProxyVia to the backend request's headers: On/Full
// append this hop (with the client's protocol version) to the client's
// Via, merged into one header with ", "; Block removes the client's.
func viaRequest(h http.Header, mode string, r *http.Request, srv *apacheconf.Server) {
	switch mode {
	case "block":
		h.Del("Via")
	case "on", "full":
		e := viaEntry(r.ProtoMajor, r.ProtoMinor, viaName(r, srv), mode)
		if old := h.Values("Via"); len(old) > 0 {
			e = strings.Join(old, ", ") + ", " + e
		}
		h.Set("Via", e)
	}
}

// viaResponse applies ProxyVia to the response: On/Full add a separate
// Via header (with the backend's protocol version) after the backend's
// own; Block and Off leave the backend's Via alone.
func viaResponse(resp *http.Response, mode string, r *http.Request, srv *apacheconf.Server) {
	if mode == "on" || mode == "full" {
		resp.Header.Add("Via", viaEntry(resp.ProtoMajor, resp.ProtoMinor, viaName(r, srv), mode))
	}
}

// reverseCookies rewrites every Set-Cookie of the response with the
// ProxyPassReverseCookiePath and ProxyPassReverseCookieDomain mappings.
func reverseCookies(h http.Header, paths, domains []apacheconf.ReverseRule) {
	if len(paths) == 0 && len(domains) == 0 {
		return
	}
	vs := h["Set-Cookie"]
	for i, v := range vs {
		vs[i] = reverseCookie(v, paths, domains)
	}
}

// reverseCookie is ap_proxy_cookie_reverse_map on one Set-Cookie value.
// The attributes after the first ';' are split on ';' and stripped of
// leading spaces; of the "path=" and "domain=" attributes (case-
// insensitive names, no space before '=') the last of each counts. Its
// value — everything up to the next ';', trailing spaces included — is
// replaced whole by the public side of the first mapping whose internal
// side is a prefix of it: case-sensitive for paths, case-insensitive for
// domains (so "backend.internal" maps "backend.internal.x" but not
// ".backend.internal").
func reverseCookie(v string, paths, domains []apacheconf.ReverseRule) string {
	type span struct{ start, end int }
	var path, domain *span
	semi := strings.IndexByte(v, ';')
	if semi < 0 {
		return v
	}
	for i := semi; i < len(v); {
		// v[i] is ';'; the token runs to the next ';'.
		start := i + 1
		end := strings.IndexByte(v[start:], ';')
		if end < 0 {
			end = len(v)
		} else {
			end += start
		}
		j := start
		for j < end && (v[j] == ' ' || v[j] == '\t' || v[j] == '\n' || v[j] == '\r' || v[j] == '\f' || v[j] == '\v') {
			j++
		}
		tok := v[j:end]
		switch {
		case len(tok) >= 5 && strings.EqualFold(tok[:5], "path="):
			path = &span{j + 5, end}
		case len(tok) >= 7 && strings.EqualFold(tok[:7], "domain="):
			domain = &span{j + 7, end}
		}
		i = end
	}
	type repl struct {
		span
		with string
	}
	var rs []repl
	if path != nil {
		val := v[path.start:path.end]
		for _, m := range paths {
			if strings.HasPrefix(val, m.Path) {
				rs = append(rs, repl{*path, m.URL})
				break
			}
		}
	}
	if domain != nil {
		val := v[domain.start:domain.end]
		for _, m := range domains {
			if len(val) >= len(m.Path) && strings.EqualFold(val[:len(m.Path)], m.Path) {
				rs = append(rs, repl{*domain, m.URL})
				break
			}
		}
	}
	if len(rs) == 2 && rs[1].start < rs[0].start {
		rs[0], rs[1] = rs[1], rs[0]
	}
	out, at := "", 0
	for _, r := range rs {
		out += v[at:r.start] + r.with
		at = r.end
	}
	return out + v[at:]
}
