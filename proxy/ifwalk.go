package proxy

import (
	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// IfVars gives the <If> walk the request's expression variables, given the
// request environment as the walk has it (MATCH_* of the matching regex
// sections included).
type IfVars func(env map[string]string) expr.Vars

func isIf(sec *apacheconf.Section) bool {
	switch sec.Kind {
	case apacheconf.SecIf, apacheconf.SecElseIf, apacheconf.SecElse:
		return true
	}
	return false
}

// nestedIfs are the <If>/<ElseIf>/<Else> sections written directly in sec.
func nestedIfs(sec *apacheconf.Section) []*apacheconf.Section {
	var out []*apacheconf.Section
	for _, n := range sec.Nested {
		if isIf(n) {
			out = append(out, n)
		}
	}
	return out
}

// appendIfs is Apache's ap_if_walk, run after the Location walk: the <If>
// list of the merged configuration — the server's own chains first, then
// those nested in each matching section, in merge order — is evaluated in
// order; an <ElseIf>/<Else> is skipped when the <If>/<ElseIf> before it
// matched. The <If>s nested in matching <If>s are then walked the same
// way, level by level. <If> runs before authentication, so
// %{REMOTE_USER} is empty there (observed on Apache 2.4.71: an
// <If "%{REMOTE_USER} == 'alice'"> under AuthType Basic never matched).
// A condition that fails to evaluate does not match (AH00039).
func (w *SectionWalker) appendIfs(matched []*apacheconf.Section, env map[string]string, ifv []IfVars) []*apacheconf.Section {
	if len(ifv) == 0 || ifv[0] == nil {
		return matched
	}
	list := append([]*apacheconf.Section(nil), w.topIfs...)
	for _, sec := range matched {
		list = append(list, nestedIfs(sec)...)
	}
	if len(list) == 0 {
		return matched
	}
	vars := ifv[0](env)
	for depth := 0; len(list) > 0 && depth < 64; depth++ {
		var next []*apacheconf.Section
		prev := -1 // Apache's prev_result: -1 none, 0 false, 1 true
		for _, sec := range list {
			if sec.Kind != apacheconf.SecIf && prev == 1 {
				continue // an earlier branch of the chain matched
			}
			if sec.Kind == apacheconf.SecElse {
				prev = -1
			} else {
				ok := false
				if sec.Expr != nil {
					ok, _ = sec.Expr.Bool(vars)
				}
				if !ok {
					prev = 0
					continue
				}
				prev = 1
			}
			matched = append(matched, sec)
			next = append(next, nestedIfs(sec)...)
		}
		list = next
	}
	return matched
}
