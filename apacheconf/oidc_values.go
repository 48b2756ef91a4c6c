package apacheconf

import (
	"fmt"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
	"github.com/oidcgate/oidcgate/internal/jwkfile"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// oidcServerWide are directives that 2.4.12.3 allows in sections but whose
// handlers write the server's configuration, not the section's: written in
// a <Location>, they apply to the whole (virtual) server.
var oidcServerWide = map[string]bool{
	"oidcrequestobject":       true,
	"oidcblacklistedclaims":   true,
	"oidcwhitelistedclaims":   true,
	"oidcredirecturlsallowed": true,
}

// oidcAccumulates are the ITERATE directives whose lines add to the list
// set so far in the same configuration (a later line does not replace it).
var oidcAccumulates = map[oidcKind]bool{oidcWords: true, oidcRegexps: true, oidcKeyFiles: true, oidcSharedKeys: true}

func compileOIDC(c *walkCtx, n *Node) {
	key := n.Key()
	words := n.Strings()
	switch key {
	case "oidcclaimprefix", "oidcoauthintrospectionclientauthbearertoken":
		// RAW_ARGS: one word is the value; nothing, an empty word or more
		// than one word means "" (claims passed without a prefix).
		if len(words) != 1 {
			words = []string{""}
		}
	}
	spec := oidcValueSpecs[key]
	if spec.kind == oidcString && c.Spec != nil && c.Spec.Class == Flag {
		spec.kind = oidcFlag // Apache's FLAG: the registry checked On/Off
	}
	v := OIDCValue{Pos: n.Pos, Words: words}
	var priv bool
	if c.Srv.OIDC != nil {
		_, priv = c.Srv.OIDC.values["oidcprivatekeyfiles"]
	}
	hint := oidcHint(key)
	if msg := parseOIDCValue(n.Name, spec, &v, oidcParseEnv{root: c.ServerRoot, privateKeys: priv, strict: c.conf != nil && c.conf.Tree != nil && c.conf.Tree.Strict, warn: func(msg string) {
		c.warnf(n, "write a pattern Go's RE2 syntax accepts (no look-around or back-references)", "%s", msg)
	}, hint: &hint}); msg != "" {
		c.errorf(n, hint, "%s", msg)
		return
	}
	if key == "oidcpreserveposttemplates" {
		if msg := checkPostTemplates(v.Words); msg != "" {
			c.errorf(n, "fix the template file", "%s", msg)
			return
		}
	}
	if key == "oidccachetype" && v.String() == "file" {
		c.warnf(n, "use shm (in memory, per process) or redis/memcache to share sessions between instances",
			"OIDCCacheType file: oidcgate has no file cache; it uses its in-memory cache instead")
	}
	perDir := c.Spec != nil && c.Spec.Override&AccessConf != 0 && !oidcServerWide[key]
	if oidcServerWide[key] && !c.atServer() {
		c.warnf(n, "move it outside the section", "%s in a section applies to the whole server (mod_auth_openidc 2.4.12.3 stores it per server)", n.Name)
	}
	var vals oidcValues
	if perDir {
		if c.Dir.OIDC == nil {
			c.Dir.OIDC = &OIDCDir{values: oidcValues{}}
		}
		vals = c.Dir.OIDC.values
	} else {
		if c.Srv.OIDC == nil {
			c.Srv.OIDC = &OIDCServer{values: oidcValues{}}
		}
		vals = c.Srv.OIDC.values
	}
	if old, ok := vals[key]; ok && (oidcAccumulates[spec.kind] || key == "oidcoauthaccepttokenas" || key == "oidcinfohook" || key == "oidcxforwardedheaders") {
		v.Words = append(append([]string(nil), old.Words...), v.Words...)
		v.Regexps = append(append([]*regexp.Regexp(nil), old.Regexps...), v.Regexps...)
	}
	vals[key] = v
}

func oidcHint(key string) string {
	switch key {
	case "oidcprovidertokenendpointauth", "oidcoauthintrospectionendpointauth":
		return "private_key_jwt needs OIDCPrivateKeyFiles on an earlier line"
	case "oidcremoteuserclaim", "oidcoauthremoteuserclaim", "oidcredirecturlsallowed":
		return "oidcgate compiles the pattern at load time with Go's RE2 syntax (no back-references or look-around)"
	}
	return ""
}

// oidcParseEnv is what value parsing needs from the walk.
type oidcParseEnv struct {
	root        string // ServerRoot, for relative file names
	privateKeys bool   // OIDCPrivateKeyFiles was set earlier in this server
	// strict is configtest --apache: only what 2.4.12.3 accepts.
	strict bool
	// warn reports a value the module accepts at load but that will not
	// work at request time; nil drops the warning.
	warn func(msg string)
	// hint, when set, receives a hint for the returned error.
	hint *string
}

// badPattern handles a pattern Go cannot compile. 2.4.12.3 stores patterns
// as text and compiles them per request, so it starts with any pattern and a
// broken one simply never matches; oidcgate does the same and says so.
func (env oidcParseEnv) badPattern(name, pattern string, err error) {
	if env.warn != nil {
		env.warn(fmt.Sprintf("%s: cannot compile regular expression '%s' (%v); like mod_auth_openidc, it will never match", name, pattern, err))
	}
}

// parseOIDCValue validates a value the way 2.4.12.3's setter does and fills
// the typed fields; it returns the module's error text, or "".
func parseOIDCValue(name string, spec oidcValueSpec, v *OIDCValue, env oidcParseEnv) string {
	invalid := func(format string, args ...any) string {
		return fmt.Sprintf("Invalid value for directive '%s': ", name) + fmt.Sprintf(format, args...)
	}
	enumMsg := func(w string, enum []string) string {
		if spec.enumMsg != "" {
			if strings.Contains(spec.enumMsg, "%s") {
				return invalid(spec.enumMsg, w)
			}
			return invalid("%s", spec.enumMsg)
		}
		return invalid("%s", oidcOptionsMsg(w, enum))
	}
	first := v.String()
	key := strings.ToLower(name)
	switch spec.kind {
	case oidcInt:
		i, msg := oidcParseInt(first)
		if msg != "" {
			return invalid("%s", msg)
		}
		if spec.bounded && i < spec.min {
			return invalid("integer value %d is smaller than the minimum allowed value %d", i, spec.min)
		}
		if spec.bounded && i > spec.max {
			return invalid("integer value %d is greater than the maximum allowed value %d", i, spec.max)
		}
		v.Int = i
		switch key {
		case "oidcsessionmaxduration":
			// 0 means "until the id_token expires"; otherwise 15 s to a year.
			if i != 0 && i < 15 {
				return invalid("value must not be less than 15 seconds")
			}
			if i > oidcYear {
				return invalid("value must not be greater than %d seconds", oidcYear)
			}
		case "oidcstatemaxnumberofcookies":
			if i < 0 {
				return invalid("maximum must not be less than 0")
			}
			if i > 255 {
				return invalid("maximum must not be greater than 255")
			}
		}
		if spec.intFirst && len(v.Words) > 1 {
			if spec.enum == nil { // the second word is a boolean
				b, ok := oidcParseBool(v.Words[1])
				if !ok {
					return invalid("oidc_parse_boolean: could not parse boolean value from \"%s\"", v.Words[1])
				}
				v.Bool = b
			} else if !contains(spec.enum, v.Words[1]) {
				return enumMsg(v.Words[1], spec.enum)
			}
		}
	case oidcApInt:
		// ap_set_int_slot: strtol, trailing junk refused, no bounds.
		i, err := strconv.ParseInt(first, 10, 64)
		if err != nil && !errorsIsRange(err) || first == "" {
			return fmt.Sprintf("Invalid value for directive %s, expected integer", name)
		}
		v.Int = clampInt32(i)
	case oidcUint32:
		i, err := strconv.ParseInt(first, 10, 64)
		if err != nil && !errorsIsRange(err) || first == "" {
			return invalid("%s", first)
		}
		if err != nil || i < 0 || i > math.MaxUint32 {
			return invalid("Value out of range")
		}
		v.Int = int(i)
	case oidcTimeout:
		d, ok := parseApacheTimeout(first)
		if !ok {
			return invalid("%s", first)
		}
		if d/time.Microsecond > math.MaxUint32 {
			return invalid("Value out of range")
		}
		v.Int = int(d / time.Second)
		v.Duration = d
	case oidcBool:
		b, ok := oidcParseBool(first)
		if !ok {
			return invalid("oidc_parse_boolean: could not parse boolean value from \"%s\"", first)
		}
		v.Bool = b
	case oidcFlag:
		v.Bool = strings.EqualFold(first, "on")
	case oidcEnum:
		ok := contains(spec.enum, first)
		if key == "oidcresponsetype" {
			ok = oidcResponseTypeOK(first)
		}
		if key == "oidcprovidertokenendpointauth" || key == "oidcoauthintrospectionendpointauth" {
			if env.privateKeys && first == "private_key_jwt" {
				ok = true
			} else if env.privateKeys {
				return enumMsg(first, append(append([]string(nil), spec.enum...), "private_key_jwt"))
			}
		}
		if !ok {
			return enumMsg(first, spec.enum)
		}
		return oidcSecondArg(key, invalid, v)
	case oidcEnumAll:
		for _, w := range v.Words {
			base := w
			if key == "oidcoauthaccepttokenas" {
				// cookie:NAME and basic are recognised by prefix.
				base, _, _ = strings.Cut(w, ":")
			}
			if key == "oidcpassuserinfoas" && !env.strict {
				// Upstream's json:NAME (2.4.12.3 refuses it: oidcgate
				// reads it, inside <IfModule oidcgate.c>).
				if name, ok := strings.CutPrefix(w, "json:"); ok && isHeaderToken(name) {
					base = "json"
				}
			}
			if !contains(spec.enum, base) {
				return enumMsg(base, spec.enum)
			}
		}
	case oidcURL, oidcHTTPS:
		u, msg := oidcParseURL(first, spec.kind == oidcHTTPS)
		if msg != "" {
			return msg
		}
		v.URL = u
	case oidcURLOrPath:
		if strings.HasPrefix(first, "/") {
			u, err := url.Parse(first)
			if err != nil {
				return invalid("cannot parse '%s' as relative URI", first)
			}
			v.URL = u
			break
		}
		u, msg := oidcParseURL(first, false)
		if msg != "" {
			return msg
		}
		v.URL = u
	case oidcRegexps:
		for _, w := range v.Words {
			re, err := regexp.Compile(w)
			if err != nil {
				env.badPattern(name, w, err)
				continue
			}
			v.Regexps = append(v.Regexps, re)
		}
	case oidcDir:
		// Checked as written: the module does not make it ServerRoot-relative.
		fi, err := os.Stat(first)
		if err == nil && !fi.IsDir() {
			return fmt.Sprintf("cannot access directory '%s' (Not a directory)", first)
		}
		if err != nil {
			return fmt.Sprintf("cannot access directory '%s' (%s)", first, oidcErrText(err))
		}
	case oidcPath:
		full := make([]string, len(v.Words))
		for i, w := range v.Words {
			full[i] = oidcFullPath(env.root, w)
		}
		v.Words = full
	case oidcKeyFiles:
		for i, w := range v.Words {
			kid, file := oidcKidTuple(w)
			if sp, err := jwkfile.ParseSpec(w); err == nil {
				kid, file = sp.KID, sp.File // upstream's sig:/enc: prefix
			}
			if file == "" {
				return "tuple value not set"
			}
			full := oidcFullPath(env.root, file)
			fn := "oidc_jwk_parse_rsa_public_key"
			if key == "oidcprivatekeyfiles" {
				fn = "oidc_jwk_parse_rsa_private_key"
			}
			if _, err := os.Stat(full); err != nil {
				if kid == "" {
					kid = "(null)"
				}
				return fmt.Sprintf("%s failed for (kid=%s) \"%s\": %s", fn, kid, full, oidcErrText(err))
			}
			if key == "oidcprivatekeyfiles" || key == "oidcpublickeyfiles" {
				// The module reads the key at load time too.
				if _, err := jwkfile.Load(w, env.root, key == "oidcprivatekeyfiles"); err != nil {
					return fmt.Sprintf("%s failed for \"%s\": %v", fn, full, err)
				}
			}
			v.Words[i] = w
		}
	case oidcSharedKeys:
		for _, w := range v.Words {
			if key == "oidcoauthdecryptsharedkeys" { // upstream's optional use
				w = strings.TrimPrefix(strings.TrimPrefix(w, "sig:"), "enc:")
			}
			if w == "" {
				return "tuple value not set"
			}
			enc, rest, ok := strings.Cut(w, "#")
			if _, _, triple := strings.Cut(rest, "#"); ok && triple {
				if !contains([]string{"b64", "b64url", "hex", "plain"}, enc) {
					return oidcOptionsMsg(enc, []string{"b64", "b64url", "hex", "plain"})
				}
			}
		}
	case oidcSecret:
		msg, hint := oidcExecSecret(key, v, env)
		if msg != "" && env.hint != nil {
			*env.hint = hint
		}
		if msg != "" {
			return msg
		}
	}
	return oidcSpecial(key, name, invalid, v, env)
}

// oidcSecondArg validates the second argument of TAKE12 enum directives.
func oidcSecondArg(key string, invalid func(string, ...any) string, v *OIDCValue) string {
	second := ""
	if len(v.Words) > 1 {
		second = v.Words[1]
	}
	switch key {
	case "oidcpassclaimsas":
		if len(v.Words) > 1 && second != "base64url" && second != "latin1" {
			return invalid("unknown encoding option \"%s\", only \"base64url\" or \"latin1\" is supported", second)
		}
	case "oidcunautzaction":
		if len(v.Words) < 2 && v.Words[0] == "302" {
			return "the (2nd) URL argument to OIDCUnAutzAction must be set"
		}
	case "oidcunauthaction":
		if len(v.Words) > 1 {
			if _, err := expr.Parse(second, expr.Boolean); err != nil {
				return invalid("cannot parse expression: %s", err.Error())
			}
		}
	}
	return ""
}

// oidcSpecial holds the checks of single directives.
func oidcSpecial(key, name string, invalid func(string, ...any) string, v *OIDCValue, env oidcParseEnv) string {
	switch key {
	case "oidcfilterclaimsexpr", "oidcuserinfoclaimsexpr":
		return checkOIDCClaimsExpr(key, invalid, v)
	case "oidccookiedomain":
		for _, r := range v.String() {
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '-') {
				return invalid("invalid character '%c' in cookie domain value: %s", r, v.String())
			}
		}
	case "oidcremoteuserclaim", "oidcoauthremoteuserclaim":
		if len(v.Words) > 1 {
			re, err := regexp.Compile(v.Words[1])
			if err != nil {
				env.badPattern(name, v.Words[1], err)
				break
			}
			v.Regexps = []*regexp.Regexp{re}
		}
	case "oidcoauthtokenexpiryclaim":
		if len(v.Words) > 1 && !contains([]string{"relative", "absolute"}, v.Words[1]) {
			return invalid("%s", oidcOptionsMsg(v.Words[1], []string{"relative", "absolute"}))
		}
		if len(v.Words) > 2 && !contains([]string{"mandatory", "optional"}, v.Words[2]) {
			return invalid("%s", oidcOptionsMsg(v.Words[2], []string{"mandatory", "optional"}))
		}
	}
	return ""
}

// oidcOptionsMsg is the module's wording for a value outside a list.
func oidcOptionsMsg(w string, enum []string) string {
	return fmt.Sprintf("invalid value '%s', must be one of ['%s']", w, strings.Join(enum, "'|'"))
}

// oidcParseInt is the module's integer parser: the whole word must be a
// decimal integer (strtol into an int).
func oidcParseInt(s string) (int, string) {
	i, err := strconv.ParseInt(s, 10, 64)
	if s == "" || err != nil && !errorsIsRange(err) {
		return 0, "invalid integer value: " + s
	}
	return clampInt32(i), ""
}

func errorsIsRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// clampInt32 mimics the C int the module stores the value in.
func clampInt32(i int64) int {
	if i > math.MaxInt32 {
		return math.MaxInt32
	}
	if i < math.MinInt32 {
		return math.MinInt32
	}
	return int(i)
}

func oidcParseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "on", "yes", "1":
		return true, true
	case "false", "off", "no", "0":
		return false, true
	}
	return false, false
}

// oidcResponseTypeOK compares the words as a set, as the module does.
func oidcResponseTypeOK(s string) bool {
	got := strings.Fields(s)
	for _, flow := range []string{"code", "id_token", "id_token token", "code id_token", "code token", "code id_token token"} {
		want := strings.Fields(flow)
		if len(want) != len(got) {
			continue
		}
		all := true
		for _, w := range got {
			all = all && contains(want, w)
		}
		if all {
			return true
		}
	}
	return false
}

// oidcParseURL validates an absolute URL as oidc_valid_url does: it must
// have a scheme (https, or http/https) and an authority part.
func oidcParseURL(s string, httpsOnly bool) (*url.URL, string) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Sprintf("'%s' cannot be parsed as a URL", s)
	}
	if u.Scheme == "" {
		return nil, fmt.Sprintf("'%s' cannot be parsed as a URL (no scheme set)", s)
	}
	scheme := s[:len(u.Scheme)] // as written: the module compares case-sensitively
	if httpsOnly && scheme != "https" {
		return nil, fmt.Sprintf("'%s' cannot be parsed as a \"https\" URL (scheme == %s)!", s, scheme)
	}
	if !httpsOnly && scheme != "https" && scheme != "http" {
		return nil, fmt.Sprintf("'%s' cannot be parsed as a \"https\" or \"http\" URL (scheme == %s)!", s, scheme)
	}
	if !strings.HasPrefix(s[len(u.Scheme)+1:], "//") {
		return nil, fmt.Sprintf("'%s' cannot be parsed as a valid URL (no hostname set, check your slashes)", s)
	}
	return u, ""
}

// oidcKidTuple splits "[enc:]kid#file" (or "file") into kid and file.
func oidcKidTuple(w string) (kid, file string) {
	if k, f, ok := strings.Cut(w, "#"); ok {
		return k, f
	}
	return "", w
}

// oidcFullPath resolves a file name as ap_server_root_relative does.
func oidcFullPath(root, p string) string {
	if p == "" || filepath.IsAbs(p) || root == "" {
		return p
	}
	return filepath.Join(root, p)
}

// oidcErrText is the C library's text for a file error.
func oidcErrText(err error) string {
	switch {
	case os.IsNotExist(err):
		return "No such file or directory"
	case os.IsPermission(err):
		return "Permission denied"
	}
	return err.Error()
}

// parseApacheTimeout reads ap_timeout_parameter_parse's syntax with
// seconds as the default unit: "30", "30s", "500ms", "2mi", "1h".
func parseApacheTimeout(s string) (time.Duration, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	var unit time.Duration
	switch s[i:] {
	case "", "s":
		unit = time.Second
	case "ms":
		unit = time.Millisecond
	case "mi":
		unit = time.Minute
	case "h":
		unit = time.Hour
	default:
		return 0, false
	}
	if n > int64(math.MaxInt64/unit) {
		return 0, false
	}
	return time.Duration(n) * unit, true
}
