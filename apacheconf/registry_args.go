package apacheconf

import "strings"

// servingArgPolicy decides serving directives whose status depends on the
// value: the value oidcgate already behaves like (usually Apache's
// default) is ignored, so common configs that spell the default out pass
// lint, and the other values are reported as the registry says.
func servingArgPolicy(n *Node) (policy, bool) {
	if len(n.Args) == 0 {
		return policy{}, false
	}
	first := strings.ToLower(n.Args[0].Text)
	asDefault := func(what string) (policy, bool) {
		return policy{Status: Ignored, Reason: what + ": what oidcgate does"}, true
	}
	switch n.Key() {
	case "proxyrequests":
		if first == "off" {
			return asDefault("Off, the default (no forward proxying)")
		}
	case "stricthostcheck", "sslstrictsnivhostcheck", "redirectrelative", "proxyerroroverride", "aliaspreservepath", "directoryindexredirect":
		if first == "off" {
			return asDefault("Off, the default")
		}
	case "proxypassinterpolateenv":
		if first == "off" {
			return asDefault("Off, the default")
		}
	case "usecanonicalname":
		if first == "dns" {
			return policy{Status: Unsupported, Reason: "UseCanonicalName DNS is not honoured (the name would come from a reverse lookup of the local address): it is treated as Off, the Host header's name; use On with ServerName"}, true
		}
	case "usecanonicalphysicalport":
		if first == "on" {
			return policy{Status: Unsupported, Reason: "UseCanonicalPhysicalPort On is not honoured: a self-referential URL without a port in the Host header (Off) or ServerName (On) takes the scheme's default port instead of the connection's local port"}, true
		}
	case "proxypassinherit", "balancerinherit":
		if first == "on" {
			return asDefault("On, the default")
		}
	case "mergetrailers":
		if first == "on" {
			return policy{Status: Unsupported, Reason: "MergeTrailers On is not honoured: request trailers are not merged into the headers the backend gets"}, true
		}
	case "sethandler":
		switch first {
		case "none":
			return asDefault("None (no handler)")
		case "server-status", "server-info", "balancer-manager":
			// Not serving Apache's own status pages exposes less, so it
			// does not change security: notable, not critical.
			return policy{Status: Unsupported, Notable: true, Reason: "SetHandler " + n.Args[0].Text +
				" is not served: those requests are handled as if the line were absent (a 404, or the backend when a ProxyPass covers them)"}, true
		}
	case "rewriteengine":
		if first == "off" {
			return asDefault("Off, the default (no rewriting)")
		}
	case "proxybadheader":
		if first == "iserror" {
			return asDefault("IsError, the default (a malformed backend header is a 502)")
		}
	case "httpprotocoloptions":
		for _, w := range n.Args {
			switch strings.ToLower(w.Text) {
			case "unsafe", "allow0.9", "registeredmethods":
				return policy{Status: Unsupported, Reason: "HttpProtocolOptions " + w.Text + " is not honoured: requests are parsed as with Strict Require1.0 LenientMethods (HTTP/0.9 is refused, which Apache's default Allow0.9 answers)"}, true
			}
		}
	case "options":
		if optionsDropSymlinks(n) {
			return policy{Status: Unsupported, Reason: "symbolic links under DocumentRoot are followed although these Options turn FollowSymLinks off; remove links that must not be served"}, true
		}
		if optionsOwnerMatch(n) {
			return policy{Status: Unsupported, Reason: "SymLinksIfOwnerMatch is not honoured: symbolic links are followed whoever owns them and their target (Apache answers 403 when the owners differ, even with FollowSymLinks); remove links that must not be served"}, true
		}
	}
	return policy{}, false
}

// optionsOwnerMatch reports whether an Options line sets
// SymLinksIfOwnerMatch, which restricts following links whatever
// FollowSymLinks says (Apache checks the owners when it is set).
func optionsOwnerMatch(n *Node) bool {
	for _, w := range n.Args {
		if o := strings.ToLower(w.Text); o == "symlinksifownermatch" || o == "+symlinksifownermatch" {
			return true
		}
	}
	return false
}

// optionsDropSymlinks reports whether an Options line turns following
// symbolic links off: "None", "-FollowSymLinks", or an absolute list
// without FollowSymLinks or SymLinksIfOwnerMatch.
func optionsDropSymlinks(n *Node) bool {
	absolute, follows := false, false
	for _, w := range n.Args {
		o := strings.ToLower(w.Text)
		switch {
		case o == "-followsymlinks", o == "none":
			return true
		case o == "+followsymlinks", o == "+symlinksifownermatch":
		case strings.HasPrefix(o, "+"), strings.HasPrefix(o, "-"):
		default:
			absolute = true
			if o == "followsymlinks" || o == "symlinksifownermatch" || o == "all" {
				follows = true
			}
		}
	}
	return absolute && !follows
}
