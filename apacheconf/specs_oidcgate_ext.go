package apacheconf

import (
	"net/url"
	"strconv"
	"strings"
)

// oidcgate's extension directives: settings Apache + mod_auth_openidc
// cannot express (the seed's "oidc-validation" filter, issue 6). They
// belong to the pseudo-module oidcgate.c, which oidcgate treats as loaded
// and Apache never has, so they live inside <IfModule oidcgate.c> and the
// file stays valid for Apache. configtest --apache reads as Apache does:
// it skips that block and refuses them anywhere else, like any unknown
// directive.

// extModule is the registry module of the extension directives
// (ModuleID: oidcgate_module, ModuleFile: oidcgate.c).
const extModule = "oidcgate"

// whyExtIfModule is said of every extension directive.
const whyExtIfModule = "oidcgate extension: write it inside <IfModule oidcgate.c> so Apache skips it"

// oidcgateExtSpecs are the extension directives with their help texts
// and what oidcgate does with them.
var oidcgateExtSpecs = []Spec{
	{Name: "OIDCGateOAuthTokenHeader", Class: Take1, Override: RsrcConf | AccessConf | OrAuthCfg,
		Help:   "A request header that carries the bearer token for AuthType oauth20 (the raw token or \"Bearer <token>\"); looked at before OIDCOAuthAcceptTokenAs' places",
		Reason: "the token is looked for in this header first, then where OIDCOAuthAcceptTokenAs says; " + whyExtIfModule},
	{Name: "OIDCGateOAuthValidateWith", Class: Take1, Override: RsrcConf,
		Help:   "How AuthType oauth20 validates tokens: \"userinfo\" (a 200 JSON object from the provider's userinfo endpoint, whose claims are the user's) or \"module\" (mod_auth_openidc's introspection or local JWT validation, the default)",
		Reason: "userinfo results are cached by the token's SHA-256 (OIDCOAuthTokenIntrospectionInterval: 0 = 60 s, N = N s, -1 = not cached); " + whyExtIfModule},
	{Name: "OIDCGateOAuthProviderMetadataURL", Class: Take1, Override: RsrcConf,
		Help:   "The OpenID Connect discovery URL whose userinfo_endpoint OIDCGateOAuthValidateWith userinfo calls",
		Reason: "fetched on first use and kept OIDCProviderMetadataRefreshInterval (24 h by default); " + whyExtIfModule},
	{Name: "OIDCGateOAuthPassClaims", Class: Iterate, Override: RsrcConf,
		Help:   "The claims, in order, that AuthType oauth20 puts into the JSON header of OIDCPassUserInfoAs json:<name> (default: all)",
		Reason: "absent claims are left out; a later line replaces an earlier one; " + whyExtIfModule},
	{Name: "OIDCGateOAuthPassClaimsEncoding", Class: Take1, Override: RsrcConf,
		Help:   "The encoding of the JSON header of OIDCPassUserInfoAs json:<name> for AuthType oauth20: none (default) or base64url",
		Reason: whyExtIfModule},
	{Name: "OIDCGateOAuthUnAuthAction", Class: Take1, Override: RsrcConf | AccessConf | OrAuthCfg,
		Help:   "What AuthType oauth20 does with a request without a valid bearer token: auth (default: refuse, as mod_auth_openidc) or pass (strip the token and pass the request on without a user)",
		Reason: "mod_auth_openidc ignores OIDCUnAuthAction for AuthType oauth20, so honouring it would open paths Apache protects; this is the opt-in. With pass the token is removed from its header, cookie or query parameter and spoofed identity headers are scrubbed; " + whyExtIfModule},
	{Name: "OIDCGateOAuthEnforceStatus", Class: Take1, Override: RsrcConf | AccessConf | OrAuthCfg,
		Help:   "The status AuthType oauth20 answers a request without a valid bearer token with (400-599; default 401 with WWW-Authenticate)",
		Reason: "any status but 401 is sent with Apache's error page (ErrorDocument applies) and no WWW-Authenticate; " + whyExtIfModule},
}

// extSpecs returns the extension specs, supported and in their module.
func extSpecs() []Spec {
	out := make([]Spec, len(oidcgateExtSpecs))
	for i, s := range oidcgateExtSpecs {
		s.Module, s.Status = extModule, Supported
		out[i] = s
	}
	return out
}

// extHandlers compile the extension directives: the value is checked
// here (file:line errors) and kept with the OIDC settings, server-level
// or per directory as the spec's Override says.
var extHandlers = func() map[string]handler {
	m := map[string]handler{}
	for _, s := range oidcgateExtSpecs {
		m[strings.ToLower(s.Name)] = compileExt
	}
	return m
}()

// isExtension reports whether spec is an oidcgate extension directive.
func isExtension(spec *Spec) bool { return spec != nil && spec.Module == extModule }

func compileExt(c *walkCtx, n *Node) {
	words := n.Strings()
	if msg := checkExtValue(n.Key(), words); msg != "" {
		c.errorf(n, "", "Invalid value for directive '%s': %s", n.Name, msg)
		return
	}
	compileOIDC(c, n)
}

// checkExtValue returns why words are not a valid value for the extension
// directive key ("" when they are).
func checkExtValue(key string, words []string) string {
	if len(words) == 0 {
		return "a value is required"
	}
	first := words[0]
	switch key {
	case "oidcgateoauthtokenheader":
		if !isHeaderToken(first) {
			return "'" + first + "' is not a header name"
		}
	case "oidcgateoauthvalidatewith":
		if first != "userinfo" && first != "module" {
			return "must be one of userinfo|module"
		}
	case "oidcgateoauthprovidermetadataurl":
		u, err := url.Parse(first)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "'" + first + "' is not an absolute http or https URL"
		}
	case "oidcgateoauthpassclaims":
		for _, w := range words {
			if w == "" || strings.ContainsFunc(w, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				return "claim names must be non-empty and without control characters"
			}
		}
	case "oidcgateoauthpassclaimsencoding":
		if first != "none" && first != "base64url" {
			return "must be one of none|base64url"
		}
	case "oidcgateoauthunauthaction":
		if first != "auth" && first != "pass" {
			return "must be one of auth|pass"
		}
	case "oidcgateoauthenforcestatus":
		st, err := strconv.Atoi(first)
		if err != nil || st < 400 || st > 599 {
			return "'" + first + "' is not a status code between 400 and 599"
		}
	}
	return ""
}

// isHeaderToken reports whether s is an HTTP field name (RFC 9110 token).
func isHeaderToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// PassUserInfoHeader returns NAME of OIDCPassUserInfoAs json:NAME
// (upstream's syntax, which 2.4.12.3 refuses: write it inside
// <IfModule oidcgate.c>), the last one when there are several, or "".
func (s *OIDCServer) PassUserInfoHeader() string {
	names := s.PassUserInfoHeaders()
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1]
}

// PassUserInfoHeaders returns every NAME of OIDCPassUserInfoAs json:NAME,
// in order (each is scrubbed from requests).
func (s *OIDCServer) PassUserInfoHeaders() []string {
	v, ok := s.Value("OIDCPassUserInfoAs")
	if !ok {
		return nil
	}
	var names []string
	for _, w := range v.Words {
		if n, ok := strings.CutPrefix(w, "json:"); ok && n != "" {
			names = append(names, n)
		}
	}
	return names
}

// checkExtServer checks a server's extension settings together:
// userinfo validation needs the provider's discovery URL.
func checkExtServer(sink *diagSink, srv *Server) {
	v, ok := srv.OIDC.Value("OIDCGateOAuthValidateWith")
	if !ok || v.String() != "userinfo" {
		return
	}
	if _, ok := srv.OIDC.Value("OIDCGateOAuthProviderMetadataURL"); !ok {
		sink.add(SevError, StageCheck, v.Pos, "OIDCGateOAuthValidateWith", "add OIDCGateOAuthProviderMetadataURL <the provider's .well-known/openid-configuration URL>",
			"OIDCGateOAuthValidateWith userinfo needs OIDCGateOAuthProviderMetadataURL")
	}
}
