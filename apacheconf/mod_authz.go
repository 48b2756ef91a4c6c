package apacheconf

import (
	"github.com/oidcgate/oidcgate/apacheconf/expr"
	"net/netip"
	"strconv"
	"strings"
)

// mod_authz_core, mod_authz_host, mod_authz_user, mod_authn_core: Require
// trees, AuthMerging, AuthType, AuthName.

var authzHandlers = map[string]handler{
	"require":                     compileRequire,
	"<requireall":                 compileRequireSection,
	"<requireany":                 compileRequireSection,
	"<requirenone":                compileRequireSection,
	"authmerging":                 compileAuthMerging,
	"authtype":                    compileAuthType,
	"authname":                    compileAuthName,
	"authzsendforbiddenonfailure": compileForbiddenOnFailure,
}

// AuthzKind is the kind of a Require tree node.
type AuthzKind uint8

const (
	// AuthzAny grants when any child grants (<RequireAny>, and the implicit
	// container of bare Require lines).
	AuthzAny AuthzKind = iota
	// AuthzAll grants when every child grants and none denies.
	AuthzAll
	// AuthzNone grants when no child grants (<RequireNone>).
	AuthzNone
	// AuthzProvider is one Require line.
	AuthzProvider
)

// AuthzNode is one node of a compiled Require tree.
type AuthzNode struct {
	Kind AuthzKind
	Pos  Pos
	// Negated is "Require not …".
	Negated bool
	// Provider is the provider name ("all", "ip", "valid-user", "claim", …)
	// and Args its arguments, split with Apache's word rules.
	Provider string
	Args     []string
	// Line is the raw argument string after the provider name, as
	// mod_authz_core hands it to the provider (Require claim parses it as
	// an ap_expr string).
	Line string
	// Expr is the parsed expression of "Require expr".
	Expr *expr.Expr
	// Granted is the argument of "Require all".
	Granted bool
	// IPs are the networks of "Require ip".
	IPs []IPNet
	// Methods limit the line to those methods (<Limit>), or to all others
	// when Except (<LimitExcept>). Empty: every method.
	Methods []string
	Except  bool
	// Children of a container.
	Children []*AuthzNode
}

// AuthMerging is mod_authz_core's AuthMerging.
type AuthMerging uint8

const (
	// MergeUnset: not given; a section without Require inherits.
	MergeUnset AuthMerging = iota
	// MergeOff: this section's Require replaces the enclosing one.
	MergeOff
	// MergeAnd: both this and the enclosing Require must grant.
	MergeAnd
	// MergeOr: either grants.
	MergeOr
)

// AuthzDir holds per-directory authentication and authorization settings.
type AuthzDir struct {
	// Require is the section's Require tree (an implicit RequireAny root),
	// nil when the section has no Require lines.
	Require *AuthzNode
	// Merging is AuthMerging (default Off when unset).
	Merging AuthMerging
	// AuthType (mod_authn_core) as written ("openid-connect", "oauth20",
	// "auth-openidc", "Basic", "None"); "" when unset. Later section wins.
	AuthType    string
	AuthTypePos Pos
	// AuthName is the realm; later section wins.
	AuthName string
	// ForbiddenOnFailure is AuthzSendForbiddenOnFailure; nil when unset.
	ForbiddenOnFailure *bool

	// open is the stack of containers being built while compiling.
	open []*AuthzNode
}

// Merge applies mod_authz_core's merge: a section without Require inherits
// the enclosing tree; otherwise its tree replaces it, unless AuthMerging
// And/Or combines the two. AuthType and AuthName: later wins when set.
func (base *AuthzDir) Merge(add *AuthzDir) *AuthzDir {
	if add == nil {
		return base
	}
	if base == nil {
		return add
	}
	out := &AuthzDir{Merging: add.Merging, AuthType: base.AuthType, AuthTypePos: base.AuthTypePos, AuthName: base.AuthName, ForbiddenOnFailure: base.ForbiddenOnFailure}
	switch {
	case add.Require == nil && add.Merging != MergeOff:
		out.Require = base.Require
	case add.Merging == MergeAnd && base.Require != nil:
		out.Require = &AuthzNode{Kind: AuthzAll, Pos: add.Require.Pos, Children: []*AuthzNode{base.Require, add.Require}}
	case add.Merging == MergeOr && base.Require != nil:
		out.Require = &AuthzNode{Kind: AuthzAny, Pos: add.Require.Pos, Children: []*AuthzNode{base.Require, add.Require}}
	default:
		out.Require = add.Require
	}
	if add.AuthType != "" {
		out.AuthType, out.AuthTypePos = add.AuthType, add.AuthTypePos
	}
	if add.AuthName != "" {
		out.AuthName = add.AuthName
	}
	if add.ForbiddenOnFailure != nil {
		out.ForbiddenOnFailure = add.ForbiddenOnFailure
	}
	return out
}

// authzProviders maps each Require provider to the module that registers
// it; strictUnknown marks providers Debian's build lacks (oidcgate
// extensions), refused in strict mode as Apache refuses them.
var authzProviders = map[string]struct {
	module        string
	strictUnknown bool
}{
	"all": {module: "mod_authz_core"}, "env": {module: "mod_authz_core"}, "method": {module: "mod_authz_core"}, "expr": {module: "mod_authz_core"},
	"ip": {module: "mod_authz_host"}, "host": {module: "mod_authz_host"}, "local": {module: "mod_authz_host"}, "forward-dns": {module: "mod_authz_host"},
	"user": {module: "mod_authz_user"}, "valid-user": {module: "mod_authz_user"},
	"group": {module: "mod_authz_groupfile"}, "file-owner": {module: "mod_authz_owner"}, "file-group": {module: "mod_authz_owner"},
	"dbm-group": {module: "mod_authz_dbm"}, "dbm-file-group": {module: "mod_authz_dbm"},
	"dbd-group": {module: "mod_authz_dbd"}, "dbd-login": {module: "mod_authz_dbd"}, "dbd-logout": {module: "mod_authz_dbd"},
	"ldap-user": {module: "mod_authnz_ldap"}, "ldap-group": {module: "mod_authnz_ldap"}, "ldap-dn": {module: "mod_authnz_ldap"},
	"ldap-attribute": {module: "mod_authnz_ldap"}, "ldap-filter": {module: "mod_authnz_ldap"}, "ldap-search": {module: "mod_authnz_ldap"},
	"claim":       {module: "mod_auth_openidc"},
	"claims_expr": {module: "mod_auth_openidc", strictUnknown: true},
}

// authzFor returns the section's AuthzDir, allocating it.
func (c *walkCtx) authzFor() *AuthzDir {
	if c.Dir.Authz == nil {
		c.Dir.Authz = &AuthzDir{}
	}
	return c.Dir.Authz
}

// container returns the node new Require lines go into: the innermost open
// <Require…> section, or the section's implicit RequireAny root.
func (a *AuthzDir) container(pos Pos) *AuthzNode {
	if n := len(a.open); n > 0 {
		return a.open[n-1]
	}
	if a.Require == nil {
		a.Require = &AuthzNode{Kind: AuthzAny, Pos: pos}
	}
	return a.Require
}

func compileRequire(c *walkCtx, n *Node) {
	a := c.authzFor()
	words := n.Strings()
	node := &AuthzNode{Kind: AuthzProvider, Pos: n.Pos}
	// The raw rest of the line after "[not] provider" (ap_getword_conf
	// twice, as authz_core_cmd_require does).
	first, rest := nextWord(n.Raw)
	if first.Text == "not" {
		_, rest = nextWord(rest)
	}
	node.Line = rest
	if len(words) > 0 && words[0] == "not" {
		node.Negated = true
		words = words[1:]
	}
	name := ""
	if len(words) > 0 {
		name = words[0]
		node.Args = words[1:]
	}
	node.Provider = name
	prov, known := authzProviders[name]
	if !known || !c.Modules.HasModule(prov.module) || prov.strictUnknown && c.strict() {
		hint := ""
		switch {
		case !known:
			best, dist := "", 3
			for k := range authzProviders {
				if d := levenshtein(name, k); d < dist || d == dist && k < best {
					best, dist = k, d
				}
			}
			if best != "" {
				hint = "did you mean " + best + "?"
			}
		case known && prov.strictUnknown:
			hint = name + " is an oidcgate extension that Debian's mod_auth_openidc 2.4.12.3 lacks"
		case known:
			hint = "load " + prov.module + " (LoadModule " + ModuleID(prov.module) + ")"
		}
		c.errorf(n, hint, "Unknown Authz provider: %s", name)
		return
	}
	parent := a.container(n.Pos)
	if node.Negated && parent.Kind == AuthzAny {
		c.errorf(n, "put negative rules in <RequireAll> or <RequireNone>", "negative Require directive has no effect in <RequireAny> directive")
		return
	}
	switch name {
	case "host", "forward-dns":
		// Apache accepts them (configtest --apache mirrors that); oidcgate
		// does no reverse or forward DNS look-ups per request and says so
		// instead of denying in silence.
		if !c.strict() {
			c.errorf(n, "use Require ip with the addresses, or Require expr with -ipmatch", "Require %s is not supported by oidcgate (it needs DNS look-ups per request)", name)
			return
		}
	case "claim":
		// mod_auth_openidc parses the line as an ap_expr string at start-up.
		if _, err := expr.Parse(node.Line, expr.String); err != nil {
			c.errorf(n, "escape a literal % or $ with a backslash", "Cannot parse expression in require line: %s", err.Error())
			return
		}
	case "expr":
		// mod_authz_core strips one pair of surrounding double quotes from
		// the raw line, then parses it as a boolean ap_expr.
		line := node.Line
		if len(line) >= 2 && line[0] == '"' && line[len(line)-1] == '"' {
			line = line[1 : len(line)-1]
		}
		x, err := expr.Parse(line, expr.Boolean)
		if err != nil {
			c.errorf(n, "", "Cannot parse expression in require line: %s", err.Error())
			return
		}
		node.Expr = x
	case "all":
		if len(node.Args) != 1 || node.Args[0] != "granted" && node.Args[0] != "denied" {
			c.errorf(n, "", "Argument for 'Require all' must be 'granted' or 'denied'")
			return
		}
		node.Granted = node.Args[0] == "granted"
	case "ip":
		if len(node.Args) == 0 {
			c.errorf(n, "", "'require ip' requires an argument")
			return
		}
		for _, arg := range node.Args {
			p, msg := parseRequireIP(arg)
			if msg != "" {
				if !looksLikeIP(arg) {
					// APR's EINVAL: nothing like an address, and no reason.
					c.errorf(n, "", "ip address '%s' appears to be invalid", arg)
					return
				}
				c.errorf(n, "", "ip address '%s' appears to be invalid: %s", arg, msg)
				return
			}
			node.IPs = append(node.IPs, p)
		}
	}
	if sec := c.Sec; sec != nil && (sec.Kind == SecLimit || sec.Kind == SecLimitExcept) {
		node.Methods, node.Except = sec.Methods, sec.Kind == SecLimitExcept
	}
	parent.Children = append(parent.Children, node)
}

// IPNet is a network of "Require ip": an address and a mask, which Apache
// does not require to be contiguous (10.2.0.0/255.0.255.0 is accepted).
type IPNet struct {
	IP   netip.Addr
	Mask []byte // len 4 or 16, same family as IP
}

// Contains reports whether addr is in the network.
func (n IPNet) Contains(addr netip.Addr) bool {
	addr = addr.Unmap()
	if addr.Is4() != n.IP.Is4() {
		return false
	}
	a, b := addr.AsSlice(), n.IP.AsSlice()
	for i := range a {
		if a[i]&n.Mask[i] != b[i]&n.Mask[i] {
			return false
		}
	}
	return true
}

func bitsMask(bits, size int) []byte {
	m := make([]byte, size)
	for i := 0; i < bits; i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	return m
}

// parseRequireIP parses one "Require ip" argument as mod_authz_host does:
// a full address, an address/bits or address/netmask network, or a partial
// dotted IPv4 address ("10.1" is 10.1.0.0/16).
func parseRequireIP(arg string) (IPNet, string) {
	const badIP = "The specified IP address is invalid."
	const badMask = "The specified network mask is invalid."
	addr, mask, hasMask := strings.Cut(arg, "/")
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		if strings.Contains(addr, ":") || hasMask {
			return IPNet{}, badIP
		}
		// A partial IPv4 address: 1 to 3 decimal octets.
		parts := strings.Split(strings.TrimSuffix(addr, "."), ".")
		if len(parts) > 3 {
			return IPNet{}, badIP
		}
		var b [4]byte
		for i, part := range parts {
			v, err := strconv.Atoi(part)
			if err != nil || v < 0 || v > 255 || part == "" {
				return IPNet{}, badIP
			}
			b[i] = byte(v)
		}
		return IPNet{IP: netip.AddrFrom4(b), Mask: bitsMask(8*len(parts), 4)}, ""
	}
	ip = ip.Unmap()
	size := ip.BitLen() / 8
	if !hasMask {
		return IPNet{IP: ip, Mask: bitsMask(ip.BitLen(), size)}, ""
	}
	if bits, err := strconv.Atoi(mask); err == nil {
		if bits < 0 || bits > ip.BitLen() {
			return IPNet{}, badMask
		}
		return IPNet{IP: ip, Mask: bitsMask(bits, size)}, ""
	}
	m, err := netip.ParseAddr(mask)
	if err != nil || !m.Is4() || !ip.Is4() {
		return IPNet{}, badMask
	}
	return IPNet{IP: ip, Mask: m.AsSlice()}, ""
}

// compileRequireSection handles <RequireAll>, <RequireAny>, <RequireNone>:
// they own their children, which are compiled in the current scope.
func compileRequireSection(c *walkCtx, n *Node) {
	name := n.SectionName()
	if strings.TrimSpace(n.Raw) != "" {
		c.errorf(n, "", "%s directive doesn't take additional arguments", name)
		return
	}
	a := c.authzFor()
	kind := map[string]AuthzKind{"<requireall": AuthzAll, "<requireany": AuthzAny, "<requirenone": AuthzNone}[n.Key()]
	parent := a.container(n.Pos)
	if kind == AuthzNone && parent.Kind == AuthzAny {
		c.errorf(n, "put <RequireNone> inside <RequireAll>", "%s directive has no effect in <RequireAny> directive", name)
		return
	}
	node := &AuthzNode{Kind: kind, Pos: n.Pos}
	a.open = append(a.open, node)
	c.walk(n.Children)
	a.open = a.open[:len(a.open)-1]
	if len(node.Children) == 0 {
		c.errorf(n, "", "%s directive contains no authorization directives", name)
		return
	}
	if kind == AuthzAll {
		negOnly := true
		for _, ch := range node.Children {
			if !ch.Negated {
				negOnly = false
			}
		}
		if negOnly {
			c.diags.diags = append(c.diags.diags, Diagnostic{Severity: SevError, Stage: StageCheck, Pos: n.Pos, Directive: n.Name,
				Code: "AH01624", Msg: name + " directive contains only negative authorization directives",
				Hint: "add a positive rule (for example Require valid-user) next to the negative ones"})
		}
	}
	if kind == parent.Kind {
		parent.Children = append(parent.Children, node.Children...) // same-kind nesting is flattened
		return
	}
	parent.Children = append(parent.Children, node)
}

func compileAuthMerging(c *walkCtx, n *Node) {
	v := map[string]AuthMerging{"off": MergeOff, "and": MergeAnd, "or": MergeOr}[strings.ToLower(n.Args[0].Text)]
	if v == MergeUnset {
		c.errorf(n, "", "AuthMerging must be one of: Off | And | Or")
		return
	}
	c.authzFor().Merging = v
}

func compileAuthType(c *walkCtx, n *Node) {
	a := c.authzFor()
	a.AuthType, a.AuthTypePos = n.Args[0].Text, n.Pos
	// Apache takes any word; a misspelt one only shows up as a 500 per
	// request. Say so when reading.
	if c.strict() {
		return
	}
	t := strings.ToLower(a.AuthType)
	known := []string{"openid-connect", "oauth20", "auth-openidc", "basic", "digest", "form", "none"}
	for _, k := range known {
		if t == k {
			return
		}
	}
	best, dist := "", 4
	for _, k := range known[:3] {
		if d := levenshtein(t, k); d < dist {
			best, dist = k, d
		}
	}
	hint := "mod_auth_openidc's AuthTypes are openid-connect, oauth20 and auth-openidc"
	if best != "" {
		hint = "did you mean " + best + "?"
	}
	c.warnf(n, hint, "AuthType %s is not an authentication type any loaded module provides: protected requests will get 500", a.AuthType)
}

func compileAuthName(c *walkCtx, n *Node) {
	c.authzFor().AuthName = n.Args[0].Text
}

func compileForbiddenOnFailure(c *walkCtx, n *Node) {
	v := flag(n)
	c.authzFor().ForbiddenOnFailure = &v
}

// looksLikeIP is APR's test before parsing an address: IPv6 if it has a
// ':', IPv4 if its address part is digits and dots.
func looksLikeIP(arg string) bool {
	addr, _, _ := strings.Cut(arg, "/")
	if strings.Contains(addr, ":") {
		return true
	}
	if addr == "" {
		return false
	}
	for i := 0; i < len(addr); i++ {
		if (addr[i] < '0' || addr[i] > '9') && addr[i] != '.' {
			return false
		}
	}
	return true
}
