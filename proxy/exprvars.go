package proxy

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// reqVars answers ap_expr variables for one request.
type reqVars struct {
	r         *http.Request
	env       map[string]string
	user      string
	authType  string
	srv       *apacheconf.Server
	lookupEnv func(string) (string, bool)
	now       time.Time
}

var _ expr.Vars = reqVars{}

func (v reqVars) Var(name string) string {
	r := v.r
	switch name {
	case "REQUEST_METHOD":
		return r.Method
	case "REQUEST_URI", "DOCUMENT_URI":
		// r->uri (DOCUMENT_URI falls back to it without mod_include).
		return v.uri()
	case "QUERY_STRING":
		return r.URL.RawQuery
	case "REQUEST_SCHEME":
		if r.TLS != nil {
			return "https"
		}
		return "http"
	case "HTTPS":
		if r.TLS != nil {
			return "on"
		}
		return "off"
	case "REMOTE_ADDR":
		return clientAddr(r.RemoteAddr).String()
	case "REMOTE_USER":
		return v.user
	case "AUTH_TYPE":
		return v.authType
	case "SERVER_NAME":
		// ap_get_server_name_for_url: as UseCanonicalName says.
		name, _ := serverNamePort(r, v.srv, v.dir())
		if strings.Contains(name, ":") {
			return "[" + name + "]"
		}
		return name
	case "SERVER_PORT":
		_, port := serverNamePort(r, v.srv, v.dir())
		return strconv.Itoa(port)
	case "SERVER_PROTOCOL":
		return r.Proto
	case "THE_REQUEST":
		return r.Method + " " + r.RequestURI + " " + r.Proto
	case "REQUEST_FILENAME", "SCRIPT_FILENAME":
		if st := stateOf(r); st != nil {
			return st.filename
		}
		return ""
	case "PATH_INFO":
		if st := stateOf(r); st != nil {
			return st.pathInfo
		}
		return ""
	case "TIME_YEAR":
		return strconv.Itoa(v.clock().Year())
	}
	return ""
}

// uri is Apache's r->uri: the raw path of the request target until
// normalisation, then the decoded, normalised path.
func (v reqVars) uri() string {
	if st := stateOf(v.r); st != nil && st.uriSet {
		return st.uri
	}
	return requestPath(v.r)
}

// dir is the request's merged configuration once the walk has run.
func (v reqVars) dir() *apacheconf.DirConfig {
	if st := stateOf(v.r); st != nil {
		return st.dir
	}
	return nil
}

func (v reqVars) clock() time.Time {
	if v.now.IsZero() {
		return time.Now()
	}
	return v.now
}

func (v reqVars) Header(name string) string {
	if vv := requestHeaderValues(v.r, name); len(vv) > 0 {
		return vv[0]
	}
	return ""
}
func (v reqVars) ResponseHeader(name string) string { return "" }
func (v reqVars) Env(name string) (string, bool) {
	s, ok := v.env[name]
	return s, ok
}
func (v reqVars) Note(string) (string, bool) { return "", false }
func (v reqVars) OSEnv(name string) (string, bool) {
	if v.lookupEnv == nil {
		return "", false
	}
	return v.lookupEnv(name)
}

// setURI records r->uri after normalisation.
func (st *reqState) setURI(uri string) {
	if st != nil {
		st.uri, st.uriSet = uri, true
	}
}

// setProxyFilename records r->filename as mod_proxy's translate hook sets
// it: "proxy:" and the target URL with its decoded path and no query.
func (st *reqState) setProxyFilename(u *url.URL) {
	if st != nil && u != nil {
		st.filename, st.pathInfo = "proxy:"+u.Scheme+"://"+u.Host+u.Path, ""
	}
}

// setProxyCanonFilename records r->filename after mod_proxy's fixup
// (the scheme's canon handler): the URL as it is forwarded, path
// re-encoded and the client's query appended.
func (st *reqState) setProxyCanonFilename(u *url.URL, r *http.Request, noQuery bool) {
	if st == nil || u == nil {
		return
	}
	f := "proxy:" + u.Scheme + "://" + u.Host + u.EscapedPath()
	if !noQuery && (r.URL.RawQuery != "" || r.URL.ForceQuery) {
		f += "?" + r.URL.RawQuery
	}
	st.filename = f
}

// setLocalFilename records r->filename and r->path_info after the
// directory walk: the part of the mapped path that exists (up to the first
// component that is not a directory), the rest being the path info.
func (st *reqState) setLocalFilename(mapped, storage string) {
	if st == nil {
		return
	}
	st.filename, st.pathInfo = storage, ""
	if strings.HasPrefix(mapped, storage) {
		st.pathInfo = mapped[len(storage):]
	}
}
