package apacheconf

import (
	"fmt"
	"strings"
)

// LintUnAutz warns where oidcgate answers differently from 2.4.12.3
// because of how mod_auth_openidc runs OIDCUnAutzAction: inside its
// Require claim provider, at every claim line that denies the user. With
// an action that writes a page (302, auth, or 401/403 with a text) and a
// claim line whose denial other Require lines can still overrule (two
// bare Require lines, <RequireAny>, "Require not claim", <RequireNone>),
// 2.4.12.3 sends that page even when the request is granted — and proxies
// it anyway, discarding the backend's answer; oidcgate answers a granted
// request from the backend (a deliberate difference; the module documents
// the action as working only with a single Require line or <RequireAll>).
// It also warns where step-up meets OIDCMetadataDir (lintStepUpChoice).
// lint only.
func LintUnAutz(cfg *Config) Diagnostics {
	if cfg == nil {
		return nil
	}
	sink := &diagSink{}
	seen := map[string]bool{}
	for _, srv := range append([]*Server{cfg.Main}, cfg.VHosts...) {
		if srv == nil {
			continue
		}
		base := srv.Dir
		if srv != cfg.Main {
			base = cfg.Main.Dir.Merge(srv.Dir)
		}
		order := srv.MergeOrder()
		scopes := []*DirConfig{base}
		for i, s := range order {
			d := base
			for _, t := range order[:i+1] {
				if t == s || encloses(t, s) {
					d = d.Merge(t.Dir)
				}
			}
			scopes = append(scopes, d)
		}
		for _, d := range scopes {
			lintUnAutzScope(d, sink, seen)
			lintStepUpChoice(srv, d, sink, seen)
		}
	}
	return sink.diags
}

// encloses reports whether every request in s's scope is in t's as well,
// as far as the section arguments tell (t a parent section, or a plain
// <Location>/<Directory> of the same kind whose path is a prefix of s's).
func encloses(t, s *Section) bool {
	for p := s.Parent; p != nil; p = p.Parent {
		if p == t {
			return true
		}
	}
	gt, ok1 := t.Group()
	gs, ok2 := s.Group()
	if !ok1 || !ok2 || gt != gs || t.Regex != nil || t.Wildcard || s.Regex != nil || t.Kind != s.Kind {
		return false
	}
	if t.Kind != SecLocation && t.Kind != SecDirectory {
		return false
	}
	if !strings.HasPrefix(s.Arg, t.Arg) {
		return false
	}
	// <Location /a> also covers /ab; <Directory /a> only /a and below.
	return t.Kind == SecLocation || strings.HasSuffix(t.Arg, "/") || len(s.Arg) == len(t.Arg) || s.Arg[len(t.Arg)] == '/'

}

// unAutzAction is d's OIDCUnAutzAction when d logs users in through the
// module (AuthType openid-connect or auth-openidc) and has Require lines.
func unAutzAction(d *DirConfig) (OIDCValue, bool) {
	if d == nil || d.Authz == nil || d.Authz.Require == nil || d.OIDC == nil {
		return OIDCValue{}, false
	}
	switch strings.ToLower(d.Authz.AuthType) {
	case "openid-connect", "auth-openidc":
		return d.OIDC.Value("OIDCUnAutzAction")
	}
	return OIDCValue{}, false
}

func lintUnAutzScope(d *DirConfig, sink *diagSink, seen map[string]bool) {
	v, ok := unAutzAction(d)
	if !ok {
		return
	}
	page := ""
	switch a := v.String(); {
	case a == "302":
		page = "redirect page"
	case a == "auth":
		page = "step-up login page"
	case (a == "401" || a == "403") && len(v.Words) > 1:
		page = "text page"
	default:
		return
	}
	n, why := overrulableClaim(d.Authz.Require, false, "")
	if n == nil {
		return
	}
	key := fmt.Sprintf("%s|%s", n.Pos, v.Pos)
	if seen[key] {
		return
	}
	seen[key] = true
	sink.add(SevWarning, StageCheck, n.Pos, "OIDCUnAutzAction",
		"mod_auth_openidc supports OIDCUnAutzAction only with a single Require line or <RequireAll>: put the alternatives on one Require claim line (its words are OR-ed)",
		"OIDCUnAutzAction %s (%s) with a Require claim line whose denial can still end in a grant (%s): mod_auth_openidc 2.4.12.3 sends its %s whenever this line denies, even when the request is then granted (and proxies it anyway); oidcgate answers a granted request from the backend",
		strings.Join(v.Words, " "), v.Pos, why, page)
}

// overrulableClaim returns the first Require claim / claims_expr line of
// the tree whose denial may still end in a grant, and why.
func overrulableClaim(n *AuthzNode, soft bool, why string) (*AuthzNode, string) {
	switch n.Kind {
	case AuthzProvider:
		if n.Provider != "claim" && n.Provider != "claims_expr" {
			return nil, ""
		}
		if n.Negated {
			return n, "it is negated with Require not"
		}
		if soft {
			return n, why
		}
		return nil, ""
	case AuthzAll:
		for _, c := range n.Children {
			if m, w := overrulableClaim(c, soft, why); m != nil {
				return m, w
			}
		}
	case AuthzNone:
		for _, c := range n.Children {
			if m, w := overrulableClaim(c, true, "it is inside <RequireNone>"); m != nil {
				return m, w
			}
		}
	default: // Any
		for i, c := range n.Children {
			s, w := soft, why
			if i < len(n.Children)-1 && !s {
				s, w = true, "a later Require line of the same <RequireAny>, or of several bare Require lines, can grant"
			}
			if m, w := overrulableClaim(c, s, w); m != nil {
				return m, w
			}
		}
	}
	return nil, ""
}
