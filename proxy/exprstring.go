package proxy

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// exprString is an ap_expr string-mode expression (AP_EXPR_FLAG_STRING_RESULT),
// as mod_auth_openidc parses a Require claim line: literal text with
// backslash escapes, %{VAR} variables and $N back-references (empty: no
// regex has matched).
type exprString struct {
	parts []exprPart
}

type exprPart struct {
	lit string
	// v is the variable name of a %{VAR} part.
	v string
}

// static reports whether the expression has no variables.
func (e *exprString) static() bool {
	for _, p := range e.parts {
		if p.v != "" {
			return false
		}
	}
	return true
}

// exprVars are the request variables a string expression may use.
var exprVars = map[string]bool{
	"REQUEST_METHOD": true, "REQUEST_URI": true, "QUERY_STRING": true, "REQUEST_SCHEME": true,
	"HTTP_HOST": true, "HTTP_USER_AGENT": true, "HTTP_REFERER": true, "HTTP_COOKIE": true, "HTTP_ACCEPT": true,
	"HTTP_FORWARDED": true, "REMOTE_ADDR": true, "SERVER_NAME": true, "HTTPS": true, "THE_REQUEST": true,
	"SERVER_PROTOCOL": true, "REMOTE_USER": true, "AUTH_TYPE": true,
}

// parseExprString parses s as Apache's expression lexer does in string
// mode. Errors are Apache's start-up errors.
func parseExprString(s string) (*exprString, error) {
	e := &exprString{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			e.parts = append(e.parts, exprPart{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			n := s[i+1]
			switch {
			case n >= '0' && n <= '7':
				j := i + 1
				for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(s[i+1:j], 8, 16)
				if v > 0xff {
					return nil, fmt.Errorf("Escape sequence out of bound")
				}
				if j < len(s) && s[j] >= '8' && s[j] <= '9' {
					return nil, fmt.Errorf("Bad escape sequence")
				}
				lit.WriteByte(byte(v))
				i = j - 1
				continue
			case n == '8' || n == '9':
				return nil, fmt.Errorf("Bad escape sequence")
			case n == 'n':
				lit.WriteByte('\n')
			case n == 'r':
				lit.WriteByte('\r')
			case n == 't':
				lit.WriteByte('\t')
			case n == 'b':
				lit.WriteByte('\b')
			case n == 'f':
				lit.WriteByte('\f')
			default:
				lit.WriteByte(n)
			}
			i++
		case c == '%' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return nil, fmt.Errorf("Unterminated string or variable")
			}
			name := s[i+2 : i+2+end]
			if !exprVars[name] {
				return nil, fmt.Errorf("Variable '%s' does not exist", name)
			}
			flush()
			e.parts = append(e.parts, exprPart{v: name})
			i += 2 + end
		case c == '$' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			// A regex back-reference: no regex has matched, so empty.
			i++
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return e, nil
}

// exprRequest is what variables are read from.
type exprRequest struct {
	r        *http.Request
	user     string
	authType string
	server   string
}

func (e *exprString) eval(q exprRequest) string {
	var b strings.Builder
	for _, p := range e.parts {
		if p.v == "" {
			b.WriteString(p.lit)
			continue
		}
		b.WriteString(exprVar(p.v, q))
	}
	return b.String()
}

func exprVar(name string, q exprRequest) string {
	r := q.r
	if r == nil {
		return ""
	}
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
	case "SERVER_NAME":
		return q.server
	case "SERVER_PROTOCOL":
		return r.Proto
	case "THE_REQUEST":
		return r.Method + " " + r.RequestURI + " " + r.Proto
	case "REMOTE_USER":
		return q.user
	case "AUTH_TYPE":
		return q.authType
	}
	if h, ok := strings.CutPrefix(name, "HTTP_"); ok {
		return r.Header.Get(strings.ReplaceAll(h, "_", "-"))
	}
	return ""
}
