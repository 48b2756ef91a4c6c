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
		if v.srv != nil {
			return v.srv.Name
		}
	case "SERVER_PORT":
		if p := localAddr(r).Port(); p != 0 {
			return strconv.Itoa(int(p))
		}
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
