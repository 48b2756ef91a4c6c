package proxy

import (
	"net/netip"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// AuthzResult is mod_authz_core's tri-state result plus "denied, no user".
type AuthzResult uint8

const (
	AuthzNeutral AuthzResult = iota
	AuthzGranted
	AuthzDenied
	// AuthzDeniedNoUser: a provider needs an authenticated user.
	AuthzDeniedNoUser
)

// AuthzRequest is what the providers look at.
type AuthzRequest struct {
	Method string
	Client netip.Addr
	// HasUser says an authentication module set the user (r->user), User
	// is it; it may be empty for a request an OIDCUnAuthAction pass let
	// through, which Require valid-user grants as Apache does.
	HasUser bool
	User    string
	// Pass is true for such a let-through request: Require claim grants it.
	Pass bool
	// Claim evaluates Require claim / claims_expr for the user.
	Claim func(n *apacheconf.AuthzNode) bool
	Env   map[string]string
	// Vars answers Require expr; nil denies it.
	Vars expr.Vars
	// ClaimDenied, if set, is called for each Require claim / claims_expr
	// line that denies the authenticated user, in evaluation order and
	// before a "not" applies: that is where mod_auth_openidc runs
	// OIDCUnAutzAction, whatever the other lines then decide.
	ClaimDenied func(n *apacheconf.AuthzNode)
}

// EvalAuthz evaluates a Require tree as mod_authz_core does. A nil tree
// grants (no Require lines at all).
func EvalAuthz(n *apacheconf.AuthzNode, r AuthzRequest) AuthzResult {
	if n == nil {
		return AuthzGranted
	}
	res := evalNode(n, r)
	if res == AuthzNeutral {
		return AuthzDenied // neutral at the top means denied
	}
	return res
}

func evalNode(n *apacheconf.AuthzNode, r AuthzRequest) AuthzResult {
	switch n.Kind {
	case apacheconf.AuthzProvider:
		if len(n.Methods) > 0 && containsFold(n.Methods, r.Method) == n.Except {
			return AuthzNeutral // the line does not apply to this method
		}
		res := evalProvider(n, r)
		if res == AuthzDenied && r.ClaimDenied != nil && (n.Provider == "claim" || n.Provider == "claims_expr") {
			r.ClaimDenied(n)
		}
		if n.Negated {
			switch res {
			case AuthzGranted:
				return AuthzDenied
			case AuthzDenied:
				return AuthzNeutral
			}
		}
		return res
	case apacheconf.AuthzAll:
		out := AuthzNeutral
		for _, c := range n.Children {
			switch res := evalNode(c, r); res {
			case AuthzDenied, AuthzDeniedNoUser:
				return res
			case AuthzGranted:
				out = AuthzGranted
			}
		}
		return out
	case apacheconf.AuthzNone:
		for _, c := range n.Children {
			if evalNode(c, r) == AuthzGranted {
				return AuthzDenied
			}
		}
		return AuthzNeutral
	default: // Any
		out := AuthzNeutral
		for _, c := range n.Children {
			switch res := evalNode(c, r); res {
			case AuthzGranted:
				return AuthzGranted
			case AuthzDeniedNoUser:
				out = AuthzDeniedNoUser
			case AuthzDenied:
				if out == AuthzNeutral {
					out = AuthzDenied
				}
			}
		}
		return out
	}
}

func evalProvider(n *apacheconf.AuthzNode, r AuthzRequest) AuthzResult {
	switch n.Provider {
	case "all":
		if n.Granted {
			return AuthzGranted
		}
		return AuthzDenied
	case "ip":
		for _, ip := range n.IPs {
			if ip.Contains(r.Client) {
				return AuthzGranted
			}
		}
		return AuthzDenied
	case "local":
		if r.Client.IsLoopback() {
			return AuthzGranted
		}
		return AuthzDenied
	case "method":
		if containsFold(n.Args, r.Method) {
			return AuthzGranted
		}
		return AuthzDenied
	case "env":
		for _, a := range n.Args {
			if _, ok := r.Env[a]; ok {
				return AuthzGranted
			}
		}
		return AuthzDenied
	case "valid-user":
		if !r.HasUser {
			return AuthzDeniedNoUser
		}
		return AuthzGranted
	case "user":
		if !r.HasUser {
			return AuthzDeniedNoUser
		}
		// mod_authz_user compares case-sensitively.
		for _, u := range n.Args {
			if u == r.User {
				return AuthzGranted
			}
		}
		return AuthzDenied
	case "claim", "claims_expr":
		if !r.HasUser {
			return AuthzDeniedNoUser
		}
		if r.User == "" && r.Pass {
			return AuthzGranted
		}
		if r.User == "" {
			return AuthzDeniedNoUser
		}
		if r.Claim != nil && r.Claim(n) {
			return AuthzGranted
		}
		return AuthzDenied
	case "expr":
		// mod_authz_core's expr provider: the expression is evaluated
		// whether or not there is a user yet; false is "denied, no user"
		// when it reads %{REMOTE_USER}, which makes Apache authenticate
		// and ask again (measured on 2.4.71: "%{REMOTE_USER} == 'alice'
		// || %{HTTP:X-Ok} == 'yes'" granted X-Ok: yes without a login,
		// asked for one otherwise, and answered bob 401).
		if n.Expr == nil || r.Vars == nil {
			return AuthzDenied
		}
		ok, err := n.Expr.Bool(r.Vars)
		switch {
		case err != nil:
			// AH02320: AUTHZ_GENERAL_ERROR, which fails the request;
			// denying is the closest tri-state answer.
			return AuthzDenied
		case ok:
			return AuthzGranted
		case n.Expr.UsesRemoteUser():
			return AuthzDeniedNoUser
		}
		return AuthzDenied
	}
	// host, forward-dns…: providers without an evaluator in this version
	// grant nothing (the registry reports them).
	if !r.HasUser {
		return AuthzDeniedNoUser
	}
	return AuthzDenied
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
