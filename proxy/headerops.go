package proxy

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// headerCtx is what header operations read.
type headerCtx struct {
	env   map[string]string
	start time.Time
	ssl   sslVars
	// vars answers expr= conditions and values; nil skips those
	// operations.
	vars expr.Vars
	// vary, when set, collects the request headers that expr= conditions
	// read (Header, not RequestHeader: Apache adds them to Vary).
	vary *[]string
	// early runs only the "early" operations (post-read-request, server
	// level); otherwise they are skipped.
	early bool
	// req is the request whose headers Header echo copies (nil: none).
	req *http.Request
}

// applyHeaderOps runs mod_headers operations on a header set, in order,
// as mod_headers' do_headers_fixup does.
func applyHeaderOps(h http.Header, ops []*apacheconf.HeaderOp, c headerCtx) {
	env := c.env
	for _, op := range ops {
		if op.Early != c.early {
			continue
		}
		if op.EnvVar != "" {
			_, set := env[op.EnvVar]
			if set == op.EnvNegate {
				continue
			}
		}
		if op.Cond != nil || op.Expr != "" {
			if c.vars == nil || op.Cond == nil {
				continue
			}
			ok, read, err := op.Cond.BoolVary(c.vars)
			if c.vary != nil {
				*c.vary = append(*c.vary, read...)
			}
			// AH01501 "Failed to evaluate expression (...) - ignoring":
			// on an evaluation error the condition is ignored and the
			// operation runs.
			if err == nil && !ok {
				continue
			}
		}
		var val string
		if op.ValueExpr != nil {
			if c.vars == nil {
				continue
			}
			// AH02557: a value that fails to evaluate is empty.
			val, _ = op.ValueExpr.String(c.vars)
		} else {
			val = renderFormat(op.Value, env, c.start, c.ssl)
		}
		name := op.Name
		// Apache's header tables are case-insensitive: an operation sees
		// every spelling (the identity headers the relying party sets keep
		// their exact, non-canonical names).
		switch op.Action {
		case apacheconf.HeaderSet:
			delFold(h, name)
			h[name] = []string{val}
		case apacheconf.HeaderAdd:
			k := keyFold(h, name)
			h[k] = append(h[k], val)
		case apacheconf.HeaderAppend:
			appendFold(h, name, val)
		case apacheconf.HeaderMerge:
			if !containsToken(getFold(h, name), val) {
				appendFold(h, name, val)
			}
		case apacheconf.HeaderSetIfEmpty:
			if getFold(h, name) == "" {
				delFold(h, name)
				h[name] = []string{val}
			}
		case apacheconf.HeaderUnset:
			delFold(h, name)
		case apacheconf.HeaderEcho:
			if c.req != nil {
				echoHeaders(h, op.Match, c.req)
			}
		case apacheconf.HeaderEdit, apacheconf.HeaderEditAll:
			for k, vals := range h {
				if !strings.EqualFold(k, name) {
					continue
				}
				for i, v := range vals {
					if op.Action == apacheconf.HeaderEdit {
						if loc := op.Match.FindStringSubmatchIndex(v); loc != nil {
							repl := string(op.Match.ExpandString(nil, dollarRefs(val), v, loc))
							vals[i] = v[:loc[0]] + repl + v[loc[1]:]
						}
						continue
					}
					vals[i] = op.Match.ReplaceAllString(v, dollarRefs(val))
				}
			}
		}
	}
}

// keyFold is the spelling under which name is stored in h, compared
// case-insensitively; name itself when absent.
func keyFold(h http.Header, name string) string {
	if _, ok := h[name]; ok {
		return name
	}
	for k := range h {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// getFold is the first value of name in any spelling.
func getFold(h http.Header, name string) string {
	if v := h[keyFold(h, name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// delFold removes name in every spelling.
func delFold(h http.Header, name string) {
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
}

// appendFold appends ", val" to the first value of name (any spelling),
// or sets it.
func appendFold(h http.Header, name, val string) {
	k := keyFold(h, name)
	if v := h[k]; len(v) > 0 && v[0] != "" {
		v[0] += ", " + val
		h[k] = v[:1]
		return
	}
	h[k] = []string{val}
}

func containsToken(list, tok string) bool {
	for _, t := range strings.Split(list, ",") {
		if strings.TrimSpace(t) == tok {
			return true
		}
	}
	return false
}

// renderFormat renders a mod_headers value; a missing variable renders as
// "(null)", as Apache does.
func renderFormat(parts []apacheconf.FormatPart, env map[string]string, start time.Time, ssl sslVars) string {
	var b strings.Builder
	for _, p := range parts {
		switch p.Tag {
		case 0:
			b.WriteString(p.Literal)
		case 't':
			b.WriteString("t=" + strconv.FormatInt(start.UnixMicro(), 10))
		case 'D':
			b.WriteString("D=" + strconv.FormatInt(time.Since(start).Microseconds(), 10))
		case 's':
			if v, ok := ssl.lookup(p.Arg); ok {
				b.WriteString(v)
			} else {
				b.WriteString("(null)")
			}
		case 'e':
			if v, ok := env[p.Arg]; ok {
				b.WriteString(v)
			} else {
				b.WriteString("(null)")
			}
		default:
			b.WriteString("(null)")
		}
	}
	return b.String()
}

// sslVars answers mod_headers' %{VAR}s through mod_ssl's variable lookup,
// which also knows a few request variables (REMOTE_USER, AUTH_TYPE).
// Without mod_ssl loaded every %{VAR}s renders "(null)".
type sslVars struct {
	loaded   bool
	user     string
	hasUser  bool
	authType string
}

func (v sslVars) lookup(name string) (string, bool) {
	if !v.loaded {
		return "", false
	}
	switch strings.ToUpper(name) {
	case "REMOTE_USER":
		return v.user, v.hasUser
	case "AUTH_TYPE":
		return v.authType, v.authType != ""
	}
	return "", false
}
