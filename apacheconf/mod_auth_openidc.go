package apacheconf

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// mod_auth_openidc: every OIDC* directive parsed into a typed value with
// the module's validation and wording. Server-level directives
// (RSRC_CONF) go to Server.OIDC, per-directory ones (ACCESS_CONF) to
// DirConfig.OIDC; both merge per directive: the later (or the vhost's)
// value wins when set.

// oidcKind is how a directive's value is parsed.
type oidcKind uint8

const (
	oidcString    oidcKind = iota // kept as written
	oidcInt                       // integer with optional bounds
	oidcBool                      // true/on/yes/1, false/off/no/0
	oidcFlag                      // Apache FLAG (On/Off), checked by the registry
	oidcEnum                      // first word one of enum
	oidcEnumAll                   // every word one of enum (ITERATE)
	oidcURL                       // absolute http(s) URL
	oidcURLOrPath                 // absolute URL or a path starting with '/'
	oidcRegexps                   // every word a regular expression
	oidcWords                     // list of words kept as written
)

// oidcValueSpec describes one directive's value.
type oidcValueSpec struct {
	kind     oidcKind
	enum     []string
	min, max int
	bounded  bool
	// intFirst parses the first word as an integer and the rest as enum
	// (OIDCRefreshAccessTokenBeforeExpiry, OIDCUserInfoRefreshInterval).
	intFirst bool
}

func enumOf(v ...string) oidcValueSpec { return oidcValueSpec{kind: oidcEnum, enum: v} }
func intRange(min, max int) oidcValueSpec {
	return oidcValueSpec{kind: oidcInt, min: min, max: max, bounded: true}
}

var oidcValueSpecs = map[string]oidcValueSpec{
	"oidcprovidermetadataurl":              {kind: oidcURL},
	"oidcproviderauthorizationendpoint":    {kind: oidcURL},
	"oidcprovidertokenendpoint":            {kind: oidcURL},
	"oidcprovideruserinfoendpoint":         {kind: oidcURL},
	"oidcproviderjwksuri":                  {kind: oidcURL},
	"oidcproviderendsessionendpoint":       {kind: oidcURL},
	"oidcproviderrevocationendpoint":       {kind: oidcURL},
	"oidcproviderchecksessioniframe":       {kind: oidcURL},
	"oidcclientjwksuri":                    {kind: oidcURL},
	"oidcoauthintrospectionendpoint":       {kind: oidcURL},
	"oidcoauthverifyjwksuri":               {kind: oidcURL},
	"oidcoauthservermetadataurl":           {kind: oidcURL},
	"oidcredirecturi":                      {kind: oidcURLOrPath},
	"oidcdefaulturl":                       {kind: oidcURLOrPath},
	"oidcdefaultloggedouturl":              {kind: oidcURLOrPath},
	"oidcdiscoverurl":                      {kind: oidcURLOrPath},
	"oidcprovidertokenendpointauth":        enumOf("client_secret_post", "client_secret_basic", "client_secret_jwt", "none", "bearer_access_token"),
	"oidcoauthintrospectionendpointauth":   enumOf("client_secret_post", "client_secret_basic", "client_secret_jwt", "none", "bearer_access_token"),
	"oidcoauthintrospectionendpointmethod": enumOf("GET", "POST"),
	"oidcproviderauthrequestmethod":        enumOf("GET", "POST"),
	"oidcresponsemode":                     enumOf("fragment", "query", "form_post"),
	"oidcpkcemethod":                       enumOf("plain", "S256", "referred_tb"),
	"oidcuserinfotokenmethod":              enumOf("authz_header", "post_param"),
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
	"oidcsslvalidateserver":                {kind: oidcBool},
	"oidcoauthsslvalidateserver":           {kind: oidcBool},
	"oidcvalidateissuer":                   {kind: oidcBool},
	"oidcsessioninactivitytimeout":         intRange(10, 3600*24*365),
	"oidcsessionmaxduration":               {kind: oidcInt},
	"oidcidtokeniatslack":                  intRange(0, 3600),
	"oidcjwksrefreshinterval":              intRange(300, 3600*24*365),
	"oidcstatetimeout":                     intRange(1, 3600*24*30),
	"oidcsessioncookiechunksize":           intRange(0, 65536),
	"oidcprovidermetadatarefreshinterval":  intRange(30, 3600*24*365),
	"oidcmemcacheconnectionsmin":           {kind: oidcInt},
	"oidcmemcacheconnectionssmax":          {kind: oidcInt},
	"oidcmemcacheconnectionshmax":          {kind: oidcInt},
	"oidcmemcacheconnectionsttl":           {kind: oidcInt},
	"oidcrediscachedatabase":               {kind: oidcInt},
	"oidcrediscacheconnecttimeout":         {kind: oidcInt},
	"oidcrediscachetimeout":                {kind: oidcInt},
	"oidccachefilecleaninterval":           {kind: oidcInt},
	"oidcoauthtokenintrospectioninterval":  {kind: oidcInt},
	"oidcstatemaxnumberofcookies":          {kind: oidcInt, intFirst: true},
	"oidcrefreshaccesstokenbeforeexpiry":   {kind: oidcInt, intFirst: true, enum: []string{"logout_on_error"}},
	"oidcuserinforefreshinterval":          {kind: oidcInt},
	"oidcredirecturlsallowed":              {kind: oidcRegexps},
	"oidcwhitelistedclaims":                {kind: oidcWords},
	"oidcblacklistedclaims":                {kind: oidcWords},
	"oidcpasscookies":                      {kind: oidcWords},
	"oidcstripcookies":                     {kind: oidcWords},
	"oidcproviderverifycertfiles":          {kind: oidcWords},
	"oidcpublickeyfiles":                   {kind: oidcWords},
	"oidcprivatekeyfiles":                  {kind: oidcWords},
	"oidcoauthverifycertfiles":             {kind: oidcWords},
	"oidcoauthverifysharedkeys":            {kind: oidcWords},
}

// OIDCValue is one parsed OIDC* directive.
type OIDCValue struct {
	Pos Pos
	// Words are the arguments as written.
	Words []string
	Int   int
	Bool  bool
	URL   *url.URL
	// Regexps are compiled patterns (OIDCRedirectURLsAllowed).
	Regexps []*regexp.Regexp
}

// String is the first argument.
func (v OIDCValue) String() string {
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

func mergeOIDC(base, add oidcValues) oidcValues {
	out := make(oidcValues, len(base)+len(add))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range add {
		out[k] = v
	}
	return out
}

// MergeVHost: a vhost's value wins for every directive it sets.
func (main *OIDCServer) MergeVHost(vh *OIDCServer) *OIDCServer {
	if vh == nil {
		return main
	}
	if main == nil {
		return vh
	}
	return &OIDCServer{values: mergeOIDC(main.values, vh.values)}
}

// Merge: a later section's value wins for every directive it sets.
func (base *OIDCDir) Merge(add *OIDCDir) *OIDCDir {
	if add == nil {
		return base
	}
	if base == nil {
		return add
	}
	return &OIDCDir{values: mergeOIDC(base.values, add.values)}
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

func compileOIDC(c *walkCtx, n *Node) {
	key := n.Key()
	words := n.Strings()
	if key == "oidcclaimprefix" {
		// RAW_ARGS: the module takes the first word; nothing means "".
		if len(words) != 1 {
			words = []string{""}
		}
	}
	v := OIDCValue{Pos: n.Pos, Words: words}
	if msg := parseOIDCValue(n.Name, oidcValueSpecs[key], &v); msg != "" {
		c.errorf(n, "", "%s", msg)
		return
	}
	perDir := c.Spec != nil && c.Spec.Override&AccessConf != 0
	if perDir {
		if c.Dir.OIDC == nil {
			c.Dir.OIDC = &OIDCDir{values: oidcValues{}}
		}
		c.Dir.OIDC.values[key] = v
		return
	}
	if c.Srv.OIDC == nil {
		c.Srv.OIDC = &OIDCServer{values: oidcValues{}}
	}
	c.Srv.OIDC.values[key] = v
}

// parseOIDCValue validates a value and fills the typed fields; it returns
// mod_auth_openidc's error text.
func parseOIDCValue(name string, spec oidcValueSpec, v *OIDCValue) string {
	invalid := func(format string, args ...any) string {
		return fmt.Sprintf("Invalid value for directive '%s': ", name) + fmt.Sprintf(format, args...)
	}
	enumMsg := func(w string, enum []string) string {
		return invalid("invalid value '%s', must be one of ['%s']", w, strings.Join(enum, "'|'"))
	}
	first := v.String()
	switch spec.kind {
	case oidcInt:
		i, err := strconv.Atoi(first)
		if err != nil {
			return invalid("invalid integer value: %s", first)
		}
		if spec.bounded && i < spec.min {
			return invalid("integer value %d is smaller than the minimum allowed value %d", i, spec.min)
		}
		if spec.bounded && i > spec.max {
			return invalid("integer value %d is greater than the maximum allowed value %d", i, spec.max)
		}
		v.Int = i
		if name == "OIDCSessionMaxDuration" && i != 0 {
			// 0 means "until the id_token expires"; otherwise 15 s to a year.
			if i < 15 {
				return invalid("value must not be less than 15 seconds")
			}
			if i > 3600*24*365 {
				return invalid("value must not be greater than %d seconds", 3600*24*365)
			}
		}
		if spec.intFirst && len(v.Words) > 1 {
			if spec.enum == nil { // the second word is a boolean
				w := strings.ToLower(v.Words[1])
				if !contains([]string{"true", "on", "yes", "1", "false", "off", "no", "0"}, w) {
					return invalid("oidc_parse_boolean: could not parse boolean value from \"%s\"", v.Words[1])
				}
			} else if !contains(spec.enum, v.Words[1]) {
				return enumMsg(v.Words[1], spec.enum)
			}
		}
	case oidcBool:
		switch strings.ToLower(first) {
		case "true", "on", "yes", "1":
			v.Bool = true
		case "false", "off", "no", "0":
		default:
			return invalid("oidc_parse_boolean: could not parse boolean value from \"%s\"", first)
		}
	case oidcEnum:
		if name == "OIDCResponseType" {
			break
		}
		if !contains(spec.enum, first) {
			return enumMsg(first, spec.enum)
		}
	case oidcEnumAll:
		for _, w := range v.Words {
			base, _, _ := strings.Cut(w, ":") // json:NAME, cookie:NAME
			if !contains(spec.enum, base) {
				return enumMsg(w, spec.enum)
			}
		}
	case oidcURL, oidcURLOrPath:
		if spec.kind == oidcURLOrPath && strings.HasPrefix(first, "/") {
			break
		}
		u, err := url.Parse(first)
		if err != nil || u.Scheme == "" {
			return fmt.Sprintf("'%s' cannot be parsed as a URL (no scheme set)", first)
		}
		v.URL = u
	case oidcRegexps:
		for _, w := range v.Words {
			re, err := regexp.Compile(w)
			if err != nil {
				// 2.4.12.3 accepts any pattern at load time; an invalid
				// one would never match. Keep it as a literal match.
				re = regexp.MustCompile(regexp.QuoteMeta(w))
			}
			v.Regexps = append(v.Regexps, re)
		}
	}
	if name == "OIDCResponseType" {
		switch first {
		case "code", "id_token", "id_token token", "code id_token", "code token", "code id_token token":
		default:
			return invalid("oidc_valid_response_type: type must be one of code|id_token|id_token token|code id_token|code token|code id_token token")
		}
	}
	return ""
}

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
