package apacheconf

import (
	"strconv"
	"strings"
)

// oidcVHostDefaults are the server settings whose 2.4.12.3 merge compares
// the virtual host's value with the module default instead of asking
// whether it was set (oidc_merge_server_config): a vhost that writes the
// default value explicitly still inherits the main server's value. Values
// are as the directive would be written.
var oidcVHostDefaults = map[string]string{
	"oidcsslvalidateserver":                "on",
	"oidcoauthsslvalidateserver":           "on",
	"oidcvalidateissuer":                   "on",
	"oidccookiehttponly":                   "on",
	"oidccookiesamesite":                   "off",
	"oidcclientname":                       "OpenID Connect Apache Module (mod_auth_openidc)",
	"oidcscope":                            "openid",
	"oidcresponsetype":                     "code",
	"oidcjwksrefreshinterval":              "3600",
	"oidcidtokeniatslack":                  "600",
	"oidcsessionmaxduration":               "28800",
	"oidcuserinfotokenmethod":              "authz_header",
	"oidcproviderauthrequestmethod":        "GET",
	"oidcoauthintrospectionendpointmethod": "POST",
	"oidcoauthintrospectiontokenparamname": "token",
	"oidcremoteuserclaim":                  "sub@",
	"oidcoauthremoteuserclaim":             "sub",
	"oidctokenbindingpolicy":               "optional",
	"oidcoauthaccesstokenbindingpolicy":    "optional",
	"oidchttptimeoutlong":                  "60",
	"oidchttptimeoutshort":                 "5",
	"oidcstatetimeout":                     "300",
	"oidcsessioninactivitytimeout":         "300",
	"oidccachefilecleaninterval":           "60",
	"oidccacheshmmax":                      "500",
	"oidccacheshmentrysizemax":             "16913",
	"oidcsessiontype":                      "server-cache",
	"oidcsessioncookiechunksize":           "4000",
	"oidcclaimdelimiter":                   ",",
	"oidcpassidtokenas":                    "claims",
	"oidcpassuserinfoas":                   "claims",
	"oidcuserinforefreshinterval":          "0",
	"oidcprovidermetadatarefreshinterval":  "0",
	"oidcstateinputheaders":                "both",
	"oidcmemcacheconnectionsmin":           "0",
	"oidcmemcacheconnectionssmax":          "0",
	"oidcmemcacheconnectionshmax":          "0",
	"oidcmemcacheconnectionsttl":           "0",
}

// oidcIsVHostDefault reports whether a vhost value counts as unset in the
// server merge.
func oidcIsVHostDefault(key string, v OIDCValue) bool {
	def, ok := oidcVHostDefaults[key]
	if !ok {
		return false
	}
	switch oidcValueSpecs[key].kind {
	case oidcBool, oidcFlag:
		b, _ := oidcParseBool(def)
		return v.Bool == b
	case oidcInt, oidcApInt, oidcUint32, oidcTimeout:
		i, _ := strconv.Atoi(def)
		return v.Int == i
	}
	if key == "oidccookiehttponly" || key == "oidccookiesamesite" || key == "oidcproviderbackchannellogoutsupported" {
		return strings.EqualFold(v.String(), def)
	}
	return strings.Join(v.Words, " ") == def
}

// CheckOIDC makes mod_auth_openidc 2.4.12.3's start-up checks
// (oidc_post_config → oidc_config_check_vhost_config) on a compiled
// configuration. Like the module it checks every virtual host (all of them
// are merged when any exists) and the main server only when there is no
// virtual host. A server is checked as a relying party when it names a
// provider (OIDCProviderIssuer, OIDCProviderMetadataURL or OIDCMetadataDir)
// and as a resource server when it sets any OIDCOAuth* endpoint or key.
// Errors stop Apache from starting; warnings are only logged. The wording
// is the module's; positions are the server's (Apache logs none).
func CheckOIDC(cfg *Config) Diagnostics {
	if cfg == nil {
		return nil
	}
	servers := cfg.VHosts
	if len(servers) == 0 && cfg.Main != nil {
		servers = []*Server{cfg.Main}
	}
	sink := &diagSink{}
	for _, s := range servers {
		if s == nil {
			continue
		}
		checkOIDCServer(sink, s)
	}
	return sink.diags
}

func checkOIDCServer(sink *diagSink, srv *Server) {
	checkExtServer(sink, srv)
	o := srv.OIDC
	has := func(name string) bool { _, ok := o.Value(name); return ok }
	str := func(name string) string { v, _ := o.Value(name); return v.String() }
	// Diagnostics point at the directive they concern; one about the whole
	// relying party at the directive that made it one (or the
	// <VirtualHost>).
	pos := srv.Pos
	for _, n := range []string{"OIDCProviderMetadataURL", "OIDCProviderIssuer", "OIDCMetadataDir", "OIDCOAuthServerMetadataURL", "OIDCOAuthIntrospectionEndpoint", "OIDCOAuthVerifyJwksUri", "OIDCRedirectURI", "OIDCClientID"} {
		if v, ok := o.Value(n); ok && v.Pos.Line > 0 && pos.Line == 0 {
			pos = v.Pos
		}
	}
	about := ""
	errf := func(hint, format string, args ...any) {
		sink.add(SevError, StageCheck, pos, "", hint, format, args...)
	}
	warnf := func(format string, args ...any) {
		p := pos
		if v, ok := o.Value(about); ok && v.Pos.Line > 0 {
			p = v.Pos
		}
		sink.add(SevWarning, StageCheck, p, "", "", format, args...)
	}
	mandatory := func(name string) { errf("", "mandatory parameter '%s' is not set", name) }

	if has("OIDCMetadataDir") || has("OIDCProviderIssuer") || has("OIDCProviderMetadataURL") {
		checkOIDCRelyingParty(o, has, str, errf, func(directive, format string, args ...any) {
			about = directive
			warnf(format, args...)
			about = ""
		}, mandatory)
	}
	oauth := false
	for _, n := range []string{"OIDCOAuthServerMetadataURL", "OIDCOAuthClientID", "OIDCOAuthClientSecret", "OIDCOAuthIntrospectionEndpoint", "OIDCOAuthVerifyJwksUri", "OIDCOAuthVerifyCertFiles", "OIDCOAuthVerifySharedKeys"} {
		oauth = oauth || has(n)
	}
	if !oauth {
		return
	}
	warnf("The OAuth 2.0 Resource Server functionality is deprecated and superseded by a new module, see: https://github.com/zmartzone/mod_oauth2!")
	if has("OIDCOAuthServerMetadataURL") {
		if v, _ := o.Value("OIDCOAuthServerMetadataURL"); v.URL == nil || v.URL.Scheme != "https" {
			warnf("the URL scheme (%s) of the configured OIDCOAuthServerMetadataURL SHOULD be \"https\" for security reasons!", schemeOf(v))
		}
		return
	}
	keys := has("OIDCOAuthVerifyJwksUri") || has("OIDCOAuthVerifyCertFiles") || has("OIDCOAuthVerifySharedKeys")
	switch {
	case !has("OIDCOAuthIntrospectionEndpoint") && !keys:
		errf("", "one of 'OIDCOAuthServerMetadataURL', 'OIDCOAuthIntrospectionEndpoint', 'OIDCOAuthVerifyJwksUri', 'OIDCOAuthVerifySharedKeys' or 'OIDCOAuthVerifyCertFiles' must be set")
		return
	case has("OIDCOAuthIntrospectionEndpoint") && keys:
		errf("", "only 'OIDCOAuthIntrospectionEndpoint' OR one (or more) out of ('OIDCOAuthVerifyJwksUri', 'OIDCOAuthVerifySharedKeys' or 'OIDCOAuthVerifyCertFiles') must be set")
		return
	}
	if enc, ok := o.Value("OIDCCacheEncrypt"); ok && enc.Bool && !has("OIDCCryptoPassphrase") {
		mandatory("OIDCCryptoPassphrase")
	}
}

func checkOIDCRelyingParty(o *OIDCServer, has func(string) bool, str func(string) string, errf func(string, string, ...any), warnf func(directive, format string, args ...any), mandatory func(string)) {
	if !has("OIDCRedirectURI") {
		mandatory("OIDCRedirectURI")
		return
	}
	if !has("OIDCCryptoPassphrase") {
		mandatory("OIDCCryptoPassphrase")
		return
	}
	if !has("OIDCMetadataDir") {
		if !has("OIDCProviderMetadataURL") {
			if !has("OIDCProviderIssuer") {
				mandatory("OIDCProviderIssuer")
				return
			}
			if !has("OIDCProviderAuthorizationEndpoint") {
				mandatory("OIDCProviderAuthorizationEndpoint")
				return
			}
		} else if v, _ := o.Value("OIDCProviderMetadataURL"); v.URL == nil || v.URL.Scheme != "https" {
			warnf("OIDCProviderMetadataURL", "the URL scheme (%s) of the configured OIDCProviderMetadataURL SHOULD be \"https\" for security reasons!", schemeOf(v))
		}
		if !has("OIDCClientID") {
			mandatory("OIDCClientID")
			return
		}
	} else if has("OIDCProviderMetadataURL") {
		errf("", "only one of 'OIDCProviderMetadataURL' or 'OIDCMetadataDir' should be set")
		return
	}
	redirect, _ := o.Value("OIDCRedirectURI")
	relative := strings.HasPrefix(redirect.String(), "/")
	if !relative && (redirect.URL == nil || redirect.URL.Scheme != "https") {
		warnf("OIDCRedirectURI", "the URL scheme (%s) of the configured OIDCRedirectURI SHOULD be \"https\" for security reasons (moreover: some Providers may reject non-HTTPS URLs)", schemeOf(redirect))
	}
	if has("OIDCCookieDomain") {
		domain := str("OIDCCookieDomain")
		if relative {
			warnf("OIDCCookieDomain", "if the configured OIDCRedirectURI is relative, OIDCCookieDomain SHOULD be empty")
		} else if host := redirect.URL.Hostname(); !oidcCookieDomainValid(host, domain) {
			errf("", "the domain (%s) configured in OIDCCookieDomain does not match the URL hostname (%s) of the configured OIDCRedirectURI (%s): setting \"state\" and \"session\" cookies will not work!", domain, host, redirect.String())
		}
	}
}

func schemeOf(v OIDCValue) string {
	if v.URL == nil {
		return "(null)"
	}
	return v.URL.Scheme
}

// oidcCookieDomainValid is 2.4.12.3's oidc_util_cookie_domain_valid: the
// domain (a leading dot ignored) must be a suffix of the host.
func oidcCookieDomainValid(host, domain string) bool {
	d := strings.TrimPrefix(domain, ".")
	i := strings.Index(host, d)
	if i < 0 {
		return false
	}
	return host[i:] == d
}
