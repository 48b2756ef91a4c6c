package apacheconf

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// mod_auth_openidc: every OIDC* directive parsed into a typed value with
// the module's validation and wording. Server-level directives
// (RSRC_CONF) go to Server.OIDC, per-directory ones (ACCESS_CONF) to
// DirConfig.OIDC; both merge per directive: the later (or the vhost's)
// value wins when set.

// oidcKind is how a directive's value is parsed; each kind is one of
// 2.4.12.3's setter functions (src/config.c, src/parse.c).
type oidcKind uint8

const (
	oidcString     oidcKind = iota // kept as written
	oidcInt                        // the module's integer parser, optional bounds
	oidcApInt                      // Apache's ap_set_int_slot: unbounded, "expected integer"
	oidcUint32                     // 0..2^32-1, "Value out of range"
	oidcTimeout                    // Apache's timeout syntax (300, 5s, 100ms, 2mi, 1h)
	oidcBool                       // true/on/yes/1, false/off/no/0
	oidcFlag                       // Apache FLAG (On/Off), checked by the registry
	oidcEnum                       // first word one of enum
	oidcEnumAll                    // every word one of enum (ITERATE, TAKE123)
	oidcURL                        // absolute http or https URL with a host
	oidcHTTPS                      // absolute https URL with a host
	oidcURLOrPath                  // absolute http(s) URL or a path starting with '/'
	oidcRegexps                    // every word a regular expression
	oidcWords                      // list of words kept as written
	oidcDir                        // an existing directory (checked at load time)
	oidcPath                       // a path, made absolute against ServerRoot
	oidcKeyFiles                   // [enc:]kid#file tuples of existing files
	oidcSharedKeys                 // [enc#]kid#key tuples
	oidcSecret                     // a value, or exec:command run at startup
)

// oidcValueSpec describes one directive's value.
type oidcValueSpec struct {
	kind     oidcKind
	enum     []string
	min, max int
	bounded  bool
	// intFirst parses the first word as an integer and the rest as enum
	// (OIDCRefreshAccessTokenBeforeExpiry) or a boolean (enum nil,
	// OIDCStateMaxNumberOfCookies).
	intFirst bool
	// enumMsg replaces the generic "must be one of" wording.
	enumMsg string
}

func enumOf(v ...string) oidcValueSpec { return oidcValueSpec{kind: oidcEnum, enum: v} }
func intRange(min, max int) oidcValueSpec {
	return oidcValueSpec{kind: oidcInt, min: min, max: max, bounded: true}
}

const oidcYear = 3600 * 24 * 365

// The JOSE algorithms of Debian's build (cjose with EC), as its apache2 -t
// lists them.
var (
	oidcSigAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "HS256", "HS384", "HS512", "ES256", "ES384", "ES512", "none"}
	oidcEncAlgs = []string{"RSA1_5", "A128KW", "A192KW", "A256KW", "RSA-OAEP"}
	oidcEncEncs = []string{"A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A256GCM"}
	// oidcEndpointAuth are the token endpoint authentication methods;
	// private_key_jwt only once OIDCPrivateKeyFiles has been read.
	oidcEndpointAuth = []string{"client_secret_post", "client_secret_basic", "client_secret_jwt", "none", "bearer_access_token"}
)

func algSpec(list []string, what string) oidcValueSpec {
	return oidcValueSpec{kind: oidcEnum, enum: list, enumMsg: "unsupported/invalid " + what + " '%s'; must be one of [" + strings.Join(list, "|") + "]"}
}

var oidcValueSpecs = map[string]oidcValueSpec{
	"oidcprovidermetadataurl":              {kind: oidcURL},
	"oidcproviderauthorizationendpoint":    {kind: oidcHTTPS},
	"oidcprovidertokenendpoint":            {kind: oidcHTTPS},
	"oidcprovideruserinfoendpoint":         {kind: oidcHTTPS},
	"oidcproviderjwksuri":                  {kind: oidcHTTPS},
	"oidcproviderendsessionendpoint":       {kind: oidcURL},
	"oidcproviderrevocationendpoint":       {kind: oidcHTTPS},
	"oidcproviderchecksessioniframe":       {kind: oidcURL},
	"oidcclientjwksuri":                    {kind: oidcHTTPS},
	"oidcoauthintrospectionendpoint":       {kind: oidcHTTPS},
	"oidcoauthverifyjwksuri":               {kind: oidcHTTPS},
	"oidcoauthservermetadataurl":           {kind: oidcURL},
	"oidcdefaulturl":                       {kind: oidcURL},
	"oidcdefaultloggedouturl":              {kind: oidcURL},
	"oidcredirecturi":                      {kind: oidcURLOrPath},
	"oidcdiscoverurl":                      {kind: oidcURLOrPath},
	"oidcprovidertokenendpointauth":        {kind: oidcEnum, enum: oidcEndpointAuth},
	"oidcoauthintrospectionendpointauth":   {kind: oidcEnum, enum: oidcEndpointAuth},
	"oidcoauthintrospectionendpointmethod": enumOf("GET", "POST"),
	"oidcproviderauthrequestmethod":        enumOf("GET", "POST"),
	"oidcresponsemode":                     enumOf("fragment", "query", "form_post"),
	"oidcresponsetype":                     {kind: oidcEnum, enum: []string{"code", "id_token", "id_token token", "code id_token", "code token", "code id_token token"}, enumMsg: "oidc_valid_response_type: type must be one of code|id_token|id_token token|code id_token|code token|code id_token token"},
	"oidcpkcemethod":                       enumOf("plain", "S256", "referred_tb"),
	"oidcuserinfotokenmethod":              enumOf("authz_header", "post_param"),
	"oidctokenbindingpolicy":               enumOf("disabled", "optional", "required", "enforced"),
	"oidcoauthaccesstokenbindingpolicy":    enumOf("disabled", "optional", "required", "enforced"),
	"oidcstateinputheaders":                enumOf("both", "user-agent", "x-forwarded-for", "none"),
	"oidcidtokensignedresponsealg":         algSpec(oidcSigAlgs, "signing algorithm"),
	"oidcuserinfosignedresponsealg":        algSpec(oidcSigAlgs, "signing algorithm"),
	"oidcidtokenencryptedresponsealg":      algSpec(oidcEncAlgs, "encryption algorithm"),
	"oidcuserinfoencryptedresponsealg":     algSpec(oidcEncAlgs, "encryption algorithm"),
	"oidcidtokenencryptedresponseenc":      algSpec(oidcEncEncs, "encryption type"),
	"oidcuserinfoencryptedresponseenc":     algSpec(oidcEncEncs, "encryption type"),
	"oidcpassclaimsas":                     enumOf("both", "headers", "environment", "none"),
	"oidcunauthaction":                     enumOf("auth", "pass", "401", "407", "410"),
	"oidcunautzaction":                     enumOf("auth", "401", "403", "302"),
	"oidccachetype":                        enumOf("shm", "memcache", "redis", "file"),
	"oidcsessiontype":                      enumOf("server-cache", "server-cache:persistent", "client-cookie", "client-cookie:persistent", "client-cookie:store_id_token", "client-cookie:persistent:store_id_token"),
	"oidcpassidtokenas":                    {kind: oidcEnumAll, enum: []string{"claims", "payload", "serialized"}},
	"oidcpassuserinfoas":                   {kind: oidcEnumAll, enum: []string{"claims", "json", "jwt"}},
	"oidcoauthaccepttokenas":               {kind: oidcEnumAll, enum: []string{"header", "post", "query", "cookie", "basic"}},
	"oidcinfohook":                         {kind: oidcEnumAll, enum: []string{"iat", "access_token", "access_token_expires", "id_token", "userinfo", "refresh_token", "exp", "timeout", "remote_user", "session"}},
	"oidcxforwardedheaders":                {kind: oidcEnumAll, enum: []string{"X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Proto", "Forwarded"}},
	"oidcoauthtokenexpiryclaim":            {kind: oidcString},
	"oidcsslvalidateserver":                {kind: oidcBool},
	"oidcoauthsslvalidateserver":           {kind: oidcBool},
	"oidcvalidateissuer":                   {kind: oidcBool},
	"oidcpreservepost":                     {kind: oidcBool},
	"oidcsessioninactivitytimeout":         intRange(10, oidcYear),
	"oidcsessionmaxduration":               {kind: oidcInt},
	"oidcidtokeniatslack":                  intRange(0, 3600),
	"oidcjwksrefreshinterval":              intRange(300, oidcYear),
	"oidcuserinforefreshinterval":          intRange(0, oidcYear),
	"oidccacheshmentrysizemax":             intRange(8192+512+17, 1024*512),
	"oidcstatemaxnumberofcookies":          {kind: oidcInt, intFirst: true},
	"oidcrefreshaccesstokenbeforeexpiry":   {kind: oidcInt, intFirst: true, min: 0, max: oidcYear, bounded: true, enum: []string{"logout_on_error"}},
	"oidcstatetimeout":                     {kind: oidcApInt},
	"oidcsessioncookiechunksize":           {kind: oidcApInt},
	"oidcprovidermetadatarefreshinterval":  {kind: oidcApInt},
	"oidchttptimeoutlong":                  {kind: oidcApInt},
	"oidchttptimeoutshort":                 {kind: oidcApInt},
	"oidccacheshmmax":                      {kind: oidcApInt},
	"oidccachefilecleaninterval":           {kind: oidcApInt},
	"oidcrediscachedatabase":               {kind: oidcApInt},
	"oidcrediscacheconnecttimeout":         {kind: oidcApInt},
	"oidcrediscachetimeout":                {kind: oidcApInt},
	"oidcoauthtokenintrospectioninterval":  {kind: oidcApInt},
	"oidcmemcacheconnectionsmin":           {kind: oidcUint32},
	"oidcmemcacheconnectionssmax":          {kind: oidcUint32},
	"oidcmemcacheconnectionshmax":          {kind: oidcUint32},
	"oidcmemcacheconnectionsttl":           {kind: oidcTimeout},
	"oidcredirecturlsallowed":              {kind: oidcRegexps},
	"oidcdiscoverissuersallowed":           {kind: oidcRegexps},
	"oidcwhitelistedclaims":                {kind: oidcWords},
	"oidcblacklistedclaims":                {kind: oidcWords},
	"oidcidtokenaudvalues":                 {kind: oidcWords},
	"oidcpasscookies":                      {kind: oidcWords},
	"oidcstripcookies":                     {kind: oidcWords},
	"oidcproviderverifycertfiles":          {kind: oidcKeyFiles},
	"oidcpublickeyfiles":                   {kind: oidcKeyFiles},
	"oidcprivatekeyfiles":                  {kind: oidcKeyFiles},
	"oidcoauthverifycertfiles":             {kind: oidcKeyFiles},
	"oidcoauthverifysharedkeys":            {kind: oidcSharedKeys},
	"oidcoauthdecryptsharedkeys":           {kind: oidcSharedKeys},
	"oidcmetadatadir":                      {kind: oidcDir},
	"oidccachedir":                         {kind: oidcDir},
	"oidccabundlepath":                     {kind: oidcPath},
	"oidcpreserveposttemplates":            {kind: oidcPath},
	"oidccryptopassphrase":                 {kind: oidcSecret},
	"oidcclienttokenendpointkeypassword":   {kind: oidcSecret},
	"oidcclientsecret":                     {kind: oidcSecret},

	// upstream only
	"oidcoauthintrospectionendpointkeypassword": {kind: oidcSecret},
}

// OIDCValue is one parsed OIDC* directive.
type OIDCValue struct {
	Pos Pos
	// Words are the arguments as written.
	Words []string
	Int   int
	Bool  bool
	URL   *url.URL
	// Duration is set for timeout-syntax values (OIDCMemCacheConnectionsTTL).
	Duration time.Duration
	// Regexps are the compiled patterns (OIDCRedirectURLsAllowed, the
	// OIDCRemoteUserClaim pattern); one Go cannot compile is left out, as it
	// never matches in the module either.
	Regexps []*regexp.Regexp
	// secret is the output of an exec: value's program (fromExec set).
	secret   string
	fromExec bool
}

// String is the first argument, or for an exec: value (FromExec) the
// program's output.
func (v OIDCValue) String() string {
	if v.fromExec {
		return v.secret
	}
	if len(v.Words) == 0 {
		return ""
	}
	return v.Words[0]
}

// oidcValues maps lower-case directive names to their values.
type oidcValues map[string]OIDCValue

// OIDCServer holds mod_auth_openidc's server-level settings. Read them
// through the typed accessors, which apply the module's defaults.
type OIDCServer struct{ values oidcValues }

// OIDCDir holds mod_auth_openidc's per-directory settings.
type OIDCDir struct{ values oidcValues }

// Value returns a directive's value and whether it was set.
func (s *OIDCServer) Value(directive string) (OIDCValue, bool) {
	if s == nil {
		return OIDCValue{}, false
	}
	v, ok := s.values[strings.ToLower(directive)]
	return v, ok
}

// Value returns a directive's value and whether it was set.
func (d *OIDCDir) Value(directive string) (OIDCValue, bool) {
	if d == nil {
		return OIDCValue{}, false
	}
	v, ok := d.values[strings.ToLower(directive)]
	return v, ok
}

// clone returns a copy that shares nothing mutable with v (compiled
// regexps are immutable and shared).
func (v OIDCValue) clone() OIDCValue {
	v.Words = append([]string(nil), v.Words...)
	v.Regexps = append([]*regexp.Regexp(nil), v.Regexps...)
	if v.URL != nil {
		u := *v.URL
		if u.User != nil {
			ui := *u.User
			u.User = &ui
		}
		v.URL = &u
	}
	return v
}

// mergeOIDC copies base and lays add over it; skip says which of add's
// values count as unset.
func mergeOIDC(base, add oidcValues, skip func(key string, v OIDCValue) bool) oidcValues {
	out := make(oidcValues, len(base)+len(add))
	for k, v := range base {
		out[k] = v.clone()
	}
	for k, v := range add {
		if _, inBase := base[k]; inBase && skip != nil && skip(k, v) {
			continue
		}
		out[k] = v.clone()
	}
	return out
}

// MergeVHost returns the settings of a virtual host: for each directive
// the vhost's value when it set one, else the main server's
// (oidc_merge_server_config). For the settings listed in
// oidcVHostDefaults the module compares with the default instead, so a
// vhost that writes the default value explicitly keeps the main server's
// value. Lists (OIDCPublicKeyFiles, OIDCRedirectURLsAllowed, ...) are
// replaced whole, never joined. Either side may be nil; the result shares
// nothing mutable with them.
func (main *OIDCServer) MergeVHost(vh *OIDCServer) *OIDCServer {
	if main == nil && vh == nil {
		return nil
	}
	return &OIDCServer{values: mergeOIDC(main.vals(), vh.vals(), oidcIsVHostDefault)}
}

// Merge returns the settings of a request that matches base then add: for
// each directive add's value when set, else base's
// (oidc_merge_dir_config; lists such as OIDCPassCookies are replaced
// whole). Either side may be nil; the result shares nothing mutable with
// them.
func (base *OIDCDir) Merge(add *OIDCDir) *OIDCDir {
	if base == nil && add == nil {
		return nil
	}
	return &OIDCDir{values: mergeOIDC(base.vals(), add.vals(), nil)}
}

func (s *OIDCServer) vals() oidcValues {
	if s == nil {
		return nil
	}
	return s.values
}

func (d *OIDCDir) vals() oidcValues {
	if d == nil {
		return nil
	}
	return d.values
}

// oidcHandlers: one handler for every OIDC* directive.
var oidcHandlers = func() map[string]handler {
	m := map[string]handler{}
	for _, s := range apacheSpecs {
		if s.Module == "mod_auth_openidc" {
			m[strings.ToLower(s.Name)] = compileOIDC
		}
	}
	for _, s := range oidcHeadSpecs {
		m[strings.ToLower(s.Name)] = compileOIDC
	}
	return m
}()

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Typed accessors with mod_auth_openidc 2.4.12.3's defaults, for the
// settings the relying party needs first.

func (s *OIDCServer) str(name, def string) string {
	if v, ok := s.Value(name); ok {
		return v.String()
	}
	return def
}

func (s *OIDCServer) seconds(name string, def int) time.Duration {
	if v, ok := s.Value(name); ok {
		return time.Duration(v.Int) * time.Second
	}
	return time.Duration(def) * time.Second
}

// ProviderMetadataURL is OIDCProviderMetadataURL, nil when unset.
func (s *OIDCServer) ProviderMetadataURL() *url.URL {
	v, _ := s.Value("OIDCProviderMetadataURL")
	return v.URL
}

// ClientID is OIDCClientID.
func (s *OIDCServer) ClientID() string { return s.str("OIDCClientID", "") }

// RedirectURI is OIDCRedirectURI as written (absolute or a path).
func (s *OIDCServer) RedirectURI() string { return s.str("OIDCRedirectURI", "") }

// Scope is OIDCScope; default "openid".
func (s *OIDCServer) Scope() string { return s.str("OIDCScope", "openid") }

// ClaimPrefix is OIDCClaimPrefix; default "OIDC_CLAIM_".
func (s *OIDCServer) ClaimPrefix() string { return s.str("OIDCClaimPrefix", "OIDC_CLAIM_") }

// ClaimDelimiter is OIDCClaimDelimiter; default ",".
func (s *OIDCServer) ClaimDelimiter() string { return s.str("OIDCClaimDelimiter", ",") }

// SessionInactivityTimeout is OIDCSessionInactivityTimeout; default 300 s.
func (s *OIDCServer) SessionInactivityTimeout() time.Duration {
	return s.seconds("OIDCSessionInactivityTimeout", 300)
}

// SessionMaxDuration is OIDCSessionMaxDuration; default 8 hours.
func (s *OIDCServer) SessionMaxDuration() time.Duration {
	return s.seconds("OIDCSessionMaxDuration", 28800)
}

// StateTimeout is OIDCStateTimeout; default 300 s.
func (s *OIDCServer) StateTimeout() time.Duration { return s.seconds("OIDCStateTimeout", 300) }

// IDTokenIatSlack is OIDCIDTokenIatSlack; default 600 s.
func (s *OIDCServer) IDTokenIatSlack() time.Duration { return s.seconds("OIDCIDTokenIatSlack", 600) }

// CacheType is OIDCCacheType; default "shm" (oidcgate's in-memory store).
func (s *OIDCServer) CacheType() string { return s.str("OIDCCacheType", "shm") }

// SSLValidateServer is OIDCSSLValidateServer; default on.
func (s *OIDCServer) SSLValidateServer() bool {
	if v, ok := s.Value("OIDCSSLValidateServer"); ok {
		return v.Bool
	}
	return true
}

// PassClaimsAs is OIDCPassClaimsAs; default "both".
func (d *OIDCDir) PassClaimsAs() string {
	if v, ok := d.Value("OIDCPassClaimsAs"); ok {
		return v.String()
	}
	return "both"
}

// UnAuthAction is OIDCUnAuthAction; default "auth".
func (d *OIDCDir) UnAuthAction() string {
	if v, ok := d.Value("OIDCUnAuthAction"); ok {
		return v.String()
	}
	return "auth"
}

// CookieName is OIDCCookie; default "mod_auth_openidc_session".
func (d *OIDCDir) CookieName() string {
	if v, ok := d.Value("OIDCCookie"); ok {
		return v.String()
	}
	return "mod_auth_openidc_session"
}
