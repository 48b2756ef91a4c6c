package proxy

import (
	"net/http"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// envInput is what SetEnvIf rules test.
type envInput struct {
	r      *http.Request
	uri    string
	client string
	local  string
	// vars answers SetEnvIfExpr's ap_expr (it sees env as the rules
	// before it left it).
	vars expr.Vars
}

// runSetEnvIf applies mod_setenvif rules in order to env.
func runSetEnvIf(rules []*apacheconf.SetEnvIfRule, in envInput, env map[string]string) {
	for _, rule := range rules {
		var subject string
		switch rule.Subject {
		case apacheconf.EnvIfRemoteAddr, apacheconf.EnvIfRemoteHost:
			subject = in.client
		case apacheconf.EnvIfRequestURI:
			subject = in.uri
		case apacheconf.EnvIfRequestMethod:
			subject = in.r.Method
		case apacheconf.EnvIfRequestProtocol:
			subject = in.r.Proto
		case apacheconf.EnvIfServerAddr:
			subject = in.local
		case apacheconf.EnvIfExpr:
			if rule.Compiled == nil || in.vars == nil {
				continue
			}
			if ok, err := rule.Compiled.Bool(in.vars); err != nil || !ok {
				continue
			}
			for _, a := range rule.Assign {
				if a.Unset {
					delete(env, a.Name)
				} else {
					env[a.Name] = a.Value
				}
			}
			continue
		default:
			if rule.NameRegex != nil {
				for name, vals := range in.r.Header {
					if rule.NameRegex.MatchString(name) && len(vals) > 0 {
						subject = vals[len(vals)-1]
					}
				}
			} else if vals := in.r.Header.Values(rule.Name); len(vals) > 0 {
				subject = strings.Join(vals, ", ")
			} else {
				subject = env[rule.Name]
			}
		}
		if rule.Regex == nil {
			continue
		}
		m := rule.Regex.FindStringSubmatchIndex(subject)
		if m == nil {
			continue
		}
		for _, a := range rule.Assign {
			if a.Unset {
				delete(env, a.Name)
				continue
			}
			v := a.Value
			if a.Substitute {
				v = string(rule.Regex.ExpandString(nil, dollarRefs(v), subject, m))
			}
			env[a.Name] = v
		}
	}
}

// applyEnv applies SetEnv, PassEnv and UnsetEnv (mod_env's fixup).
func applyEnv(d *apacheconf.EnvDir, env map[string]string, lookup func(string) (string, bool)) {
	for _, u := range d.Unset {
		delete(env, u.Name)
	}
	for _, v := range d.Set {
		if v.Pass {
			if lookup != nil {
				if val, ok := lookup(v.Name); ok {
					env[v.Name] = val
				}
			}
			continue
		}
		env[v.Name] = v.Value
	}
}

// newEnv makes a request's environment. On a server with a relying party
// or a resource server it is made large enough for the identity values
// (one per claim, passed as environment by default) so that it does not
// grow one rehash after another: as large as the server's recent requests
// needed (envSize) — a fixed 64 was a 4.8 KB map for 40 values, and made
// for every request, plain ones too.
func (s *Site) newEnv(srv *apacheconf.Server) map[string]string {
	if s.rps[srv] != nil || s.rss[srv] != nil {
		if n := s.envSizes[srv]; n != nil {
			return make(map[string]string, n.Load())
		}
		return make(map[string]string, 64)
	}
	return map[string]string{}
}

// maxEnvHint bounds the size newEnv presets: one request with very many
// claims does not make every later request allocate for as many.
const maxEnvHint = 128

// envSize records how large a request's environment became, for newEnv:
// a larger one raises the hint at once, smaller ones lower it a sixteenth
// of the difference at a time, so that with authenticated and plain
// requests mixed the authenticated ones still find room for their values.
func (s *Site) envSize(srv *apacheconf.Server, env map[string]string) {
	n := s.envSizes[srv]
	if n == nil {
		return
	}
	old, size := n.Load(), int32(min(len(env), maxEnvHint))
	next := size
	if size < old {
		next = old - (old-size)/16
	}
	if next != old {
		n.Store(next)
	}
}
