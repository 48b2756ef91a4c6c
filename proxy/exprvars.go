package proxy

import (
	"net/http"
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
	case "REQUEST_URI":
		p, _, _ := strings.Cut(r.RequestURI, "?")
		return p
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
	case "REQUEST_FILENAME", "DOCUMENT_URI":
		return r.URL.Path
	case "TIME_YEAR":
		return strconv.Itoa(v.clock().Year())
	}
	return ""
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

func (v reqVars) Header(name string) string         { return v.r.Header.Get(name) }
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
