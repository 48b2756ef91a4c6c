package proxy

import (
	"fmt"
	"sync"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
	"github.com/oidcgate/oidcgate/oidc/claims"
)

// filterClaimsExpr compiles OIDCFilterClaimsExpr once per server. apacheconf
// has refused a program that does not compile or reads the request; should
// one get here anyway, the filter yields nothing, so no claims are kept
// (fail closed) rather than all of them.
func filterClaimsExpr(v apacheconf.OIDCValue) *claims.JQFilter {
	src, constant, err := apacheconf.ConstStringExpr(v.String())
	if err == nil && constant {
		if f, err := claims.CompileJQFilter(src); err == nil {
			return f
		}
	}
	f, _ := claims.CompileJQFilter("empty")
	return f
}

// userInfoClaimsExpr evaluates a request's OIDCUserInfoClaimsExpr (an
// ap_expr string, as upstream parses it) and returns its compiled program.
func (s *Site) userInfoClaimsExpr(v apacheconf.OIDCValue, vars reqVars) (*claims.JQFilter, error) {
	e, err := s.exprs.parse(v.String(), expr.String)
	if err != nil {
		return nil, fmt.Errorf("%s: OIDCUserInfoClaimsExpr: %w", v.Pos, err)
	}
	src, err := e.String(vars)
	if err != nil {
		return nil, fmt.Errorf("%s: OIDCUserInfoClaimsExpr: %w", v.Pos, err)
	}
	f, err := s.jqs.compile(src)
	if err != nil {
		return nil, fmt.Errorf("%s: OIDCUserInfoClaimsExpr: %w", v.Pos, err)
	}
	return f, nil
}

// jqCache holds compiled jq programs by their text. A program with
// %{...} references has one text per distinct value, so the cache is
// bounded: when full it starts over.
type jqCache struct {
	mu sync.Mutex
	m  map[string]jqEntry
}

type jqEntry struct {
	f   *claims.JQFilter
	err error
}

const maxJQPrograms = 256

func (c *jqCache) compile(src string) (*claims.JQFilter, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[src]; ok {
		return e.f, e.err
	}
	f, err := claims.CompileJQFilter(src)
	if c.m == nil || len(c.m) >= maxJQPrograms {
		c.m = map[string]jqEntry{}
	}
	c.m[src] = jqEntry{f, err}
	return f, err
}
