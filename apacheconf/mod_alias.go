package apacheconf

import (
	"regexp"
	"strconv"
	"strings"
)

// mod_alias: Alias, AliasMatch, ScriptAlias, ScriptAliasMatch, Redirect,
// RedirectMatch, RedirectTemp, RedirectPermanent, RedirectRelative and
// AliasPreservePath. Messages follow mod_alias.c and were checked with
// apache2 -t (Debian 2.4.71).

var aliasHandlers = map[string]handler{
	"alias":             compileAlias,
	"scriptalias":       compileAlias,
	"aliasmatch":        compileAliasMatch,
	"scriptaliasmatch":  compileAliasMatch,
	"redirect":          compileRedirect,
	"redirectmatch":     compileRedirect,
	"redirecttemp":      compileRedirect,
	"redirectpermanent": compileRedirect,
	"redirectrelative":  compileAliasFlag,
	"aliaspreservepath": compileAliasFlag,
}

// AliasRule is one server-level Alias, AliasMatch, ScriptAlias or
// ScriptAliasMatch: requests whose URL path matches Fake are served from
// the file-system path Real.
type AliasRule struct {
	Pos Pos
	// Directive is the directive as registered ("Alias", "ScriptAliasMatch").
	Directive string
	// Fake is the URL path (Alias: matched as a prefix on segment
	// boundaries, runs of '/' matching runs of '/') or the pattern
	// (…Match: Regex, searched unanchored; Real may use $1…$9).
	Fake  string
	Regex *regexp.Regexp
	Real  string
	// Script is set for ScriptAlias/ScriptAliasMatch (the target is a CGI
	// directory, which oidcgate does not run).
	Script bool
}

// RedirectRule is one Redirect, RedirectMatch, RedirectTemp or
// RedirectPermanent with a path (server level, or a section's list).
type RedirectRule struct {
	Pos       Pos
	Directive string
	// Status is the response status: 301, 302 (the default), 303, 410, or
	// any number given as the first argument.
	Status int
	// Path is the URL path (prefix match as for Alias) or, for
	// RedirectMatch, the pattern compiled into Regex.
	Path  string
	Regex *regexp.Regexp
	// URL is the target ("" for statuses outside 3xx, such as gone). For a
	// prefix rule the rest of the request path is appended; for
	// RedirectMatch $N are replaced.
	URL string
}

// LocationAlias is the one-argument Alias inside <Location>: the request is
// served from the file the string expression evaluates to. Later section
// wins.
type LocationAlias struct {
	Pos    Pos
	Expr   *StringExpr
	Script bool
	// Location is the enclosing section's argument (Apache's alias_fake).
	Location string
}

// LocationRedirect is the one- or two-argument Redirect inside a section:
// every request the section matches is redirected to the string
// expression (nil for a status-only form such as "Redirect gone"). Later
// section wins.
type LocationRedirect struct {
	Pos    Pos
	Status int
	Expr   *StringExpr
}

// AliasServer holds mod_alias's server-level rules.
type AliasServer struct {
	// Aliases are Alias/AliasMatch/ScriptAlias(Match) in file order; the
	// first match wins. Merge: a virtual host's rules come first, then the
	// main server's (mod_alias merge_alias_config).
	Aliases []AliasRule
	// Redirects are server-level Redirect* rules, first match wins; they
	// are tried before Aliases. Merge as Aliases.
	Redirects []RedirectRule
}

// MergeVHost returns the settings of a virtual host: its own rules, then
// the main server's.
func (main *AliasServer) MergeVHost(vh *AliasServer) *AliasServer {
	if vh == nil {
		return main
	}
	if main == nil {
		return vh
	}
	return &AliasServer{
		Aliases:   concat(vh.Aliases, main.Aliases),
		Redirects: concat(vh.Redirects, main.Redirects),
	}
}

// AliasDir holds mod_alias's per-directory settings.
type AliasDir struct {
	// Redirects are Redirect* rules with a path written inside a section.
	// Merge: the later section's rules first, then the enclosing ones.
	Redirects []RedirectRule
	// Alias is the one-argument Alias of a <Location>; later section wins
	// when it sets one.
	Alias *LocationAlias
	// Redirect is the path-less Redirect of a section; later section wins
	// when it sets one.
	Redirect *LocationRedirect
	// RelativeRedirects is RedirectRelative (default Off: relative targets
	// are made absolute); nil when unset, later section wins when set.
	RelativeRedirects *bool
	// PreservePath is AliasPreservePath (default Off); nil when unset,
	// later section wins when set.
	PreservePath *bool
}

// Merge applies mod_alias's merge_alias_dir_config.
func (base *AliasDir) Merge(add *AliasDir) *AliasDir {
	if add == nil {
		return base
	}
	if base == nil {
		return add
	}
	out := &AliasDir{
		Redirects:         concat(add.Redirects, base.Redirects),
		Alias:             base.Alias,
		Redirect:          base.Redirect,
		RelativeRedirects: base.RelativeRedirects,
		PreservePath:      base.PreservePath,
	}
	if add.Alias != nil {
		out.Alias = add.Alias
	}
	if add.Redirect != nil {
		out.Redirect = add.Redirect
	}
	if add.RelativeRedirects != nil {
		out.RelativeRedirects = add.RelativeRedirects
	}
	if add.PreservePath != nil {
		out.PreservePath = add.PreservePath
	}
	return out
}

// concat returns a new slice holding a then b (nil when both are empty).
func concat[T any](a, b []T) []T {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := make([]T, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

func (c *walkCtx) aliasServer() *AliasServer {
	if c.Srv.Alias == nil {
		c.Srv.Alias = &AliasServer{}
	}
	return c.Srv.Alias
}

func (c *walkCtx) aliasDir() *AliasDir {
	if c.Dir.Alias == nil {
		c.Dir.Alias = &AliasDir{}
	}
	return c.Dir.Alias
}

// compileAlias handles Alias and ScriptAlias: two arguments at server
// level, one (a string expression) inside <Location>.
func compileAlias(c *walkCtx, n *Node) {
	script := strings.HasPrefix(strings.ToLower(c.Spec.Name), "script")
	if len(n.Args) == 2 {
		if c.Sec != nil {
			c.errorf(n, "write the two-argument form outside any section, or use the one-argument form inside <Location>",
				"%s cannot occur within directory context", c.Spec.Name)
			return
		}
		c.addAlias(n, AliasRule{Pos: n.Pos, Directive: c.Spec.Name, Fake: n.Args[0].Text, Real: n.Args[1].Text, Script: script})
		return
	}
	if c.Sec == nil {
		c.errorf(n, "write "+c.Spec.Name+" /url-path /file/path, or put the one-argument form in a <Location>",
			"%s must have two arguments when used globally", c.Spec.Name)
		return
	}
	e, msg := parseStringExpr(n.Args[0].Text)
	if msg != "" {
		c.errorf(n, "", "Cannot parse alias expression '%s': %s", n.Args[0].Text, msg)
		return
	}
	c.aliasDir().Alias = &LocationAlias{Pos: n.Pos, Expr: e, Script: script, Location: c.Sec.Arg}
}

func compileAliasMatch(c *walkCtx, n *Node) {
	re, err := compileRegex("", n.Args[0].Text)
	if err != nil {
		c.errorf(n, whyRE2+" ("+err.Error()+")", "Regular expression could not be compiled.")
		return
	}
	c.addAlias(n, AliasRule{Pos: n.Pos, Directive: c.Spec.Name, Fake: n.Args[0].Text, Regex: re, Real: n.Args[1].Text,
		Script: strings.HasPrefix(strings.ToLower(c.Spec.Name), "script")})
}

// addAlias appends a rule and gives Apache's AH00671 warning when an
// earlier rule already matches a plain alias's path.
func (c *walkCtx) addAlias(n *Node, r AliasRule) {
	as := c.aliasServer()
	if r.Regex == nil {
		for _, prev := range as.Aliases {
			if prev.Regex == nil && aliasMatches(r.Fake, prev.Fake) > 0 || prev.Regex != nil && prev.Regex.MatchString(r.Fake) {
				prefix, suffix := "", ""
				if prev.Script {
					prefix = "Script"
				}
				if prev.Regex != nil {
					suffix = "Match"
				}
				c.warnf(n, "move the more specific rule first ("+prev.Pos.String()+" matches first)",
					"AH00671: The %s directive in %s at line %d will probably never match because it overlaps an earlier %sAlias%s.",
					c.Spec.Name, n.Pos.File, n.Pos.ApacheLine(), prefix, suffix)
				break
			}
		}
	}
	as.Aliases = append(as.Aliases, r)
}

// aliasMatches is mod_alias's prefix test: the length of uri that fake
// matches, or 0. A '/' in fake matches one or more '/' in uri, and the
// match must end at a segment boundary.
func aliasMatches(uri, fake string) int {
	i, j := 0, 0
	for i < len(fake) {
		if fake[i] == '/' {
			if j >= len(uri) || uri[j] != '/' {
				return 0
			}
			for i < len(fake) && fake[i] == '/' {
				i++
			}
			for j < len(uri) && uri[j] == '/' {
				j++
			}
			continue
		}
		if j >= len(uri) || uri[j] != fake[i] {
			return 0
		}
		i++
		j++
	}
	// The alias matched to its end: the uri must end here, or continue
	// with a new segment (or the alias ended with a slash).
	if len(fake) > 0 && fake[len(fake)-1] != '/' && j < len(uri) && uri[j] != '/' {
		return 0
	}
	return j
}

// redirectStatus parses Redirect's optional first argument: the status and
// how it was understood (1: a redirect status, -1: a status that takes no
// URL, 0: not a status).
func redirectStatus(arg string, def int) (int, int) {
	switch strings.ToLower(arg) {
	case "permanent":
		return 301, 1
	case "temp":
		return 302, 1
	case "seeother":
		return 303, 1
	case "gone":
		return 410, -1
	}
	if arg != "" && arg[0] >= '0' && arg[0] <= '9' {
		st := atoi(arg)
		if st >= 300 && st <= 399 {
			return st, 1
		}
		return st, -1
	}
	return def, 0
}

// atoi is C's atoi: leading digits, saturating instead of overflowing.
func atoi(s string) int {
	v := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		v = v*10 + int(s[i]-'0')
		if v > 1<<30 {
			return 1 << 30
		}
	}
	return v
}

// isURL is ap_is_url: a non-empty scheme of letters, digits, '+', '-', '.'
// followed by ':'.
func isURL(u string) bool {
	i := strings.IndexByte(u, ':')
	if i <= 0 {
		return false
	}
	for _, ch := range []byte(u[:i]) {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '+' || ch == '-' || ch == '.') {
			return false
		}
	}
	return true
}

// compileRedirect follows mod_alias's add_redirect_internal.
func compileRedirect(c *walkCtx, n *Node) {
	name := strings.ToLower(c.Spec.Name)
	def := 302
	if name == "redirectpermanent" {
		def = 301
	}
	isMatch := name == "redirectmatch"
	args := n.Strings()
	arg1 := args[0]
	var arg2, arg3 *string
	if len(args) > 1 {
		arg2 = &args[1]
	}
	if len(args) > 2 {
		arg3 = &args[2]
	}
	status, grok := redirectStatus(arg1, def)
	if arg3 != nil && grok == 0 {
		c.errorf(n, "the first of three arguments must be permanent, temp, seeother, gone or a status code",
			"Redirect: invalid first argument (of three)")
		return
	}
	inSection := c.Sec != nil
	switch {
	case !inSection:
	case grok > 0 && arg2 != nil && arg3 == nil || grok == 0 && arg2 == nil:
		target := arg1
		if grok != 0 {
			target = *arg2
		}
		e, msg := parseStringExpr(target)
		if msg != "" {
			c.errorf(n, "", "Cannot parse redirect expression '%s': %s", target, msg)
			return
		}
		c.aliasDir().Redirect = &LocationRedirect{Pos: n.Pos, Status: status, Expr: e}
		return
	case grok < 0 && arg2 == nil:
		c.aliasDir().Redirect = &LocationRedirect{Pos: n.Pos, Status: status}
		return
	}
	fake, url := "", ""
	var hasURL bool
	if arg2 != nil {
		fake = *arg2
	}
	if arg3 != nil {
		url, hasURL = *arg3, true
	}
	if arg3 == nil && grok == 0 {
		fake = arg1
		if arg2 != nil {
			url, hasURL = *arg2, true
		} else {
			url, hasURL = "", false
		}
	}
	rule := RedirectRule{Pos: n.Pos, Directive: c.Spec.Name, Status: status, Path: fake, URL: url}
	if isMatch {
		re, err := compileRegex("", fake)
		if err != nil {
			c.errorf(n, whyRE2+" ("+err.Error()+")", "Regular expression could not be compiled.")
			return
		}
		rule.Regex = re
	}
	if status >= 300 && status <= 399 {
		if !hasURL {
			c.errorf(n, "write "+c.Spec.Name+" [status] /path https://target/", "URL to redirect to is missing")
			return
		}
		if !isMatch && !isURL(url) && !strings.HasPrefix(url, "/") {
			c.errorf(n, "the target must be an absolute URL (https://host/path) or a path starting with /", "Redirect to non-URL")
			return
		}
	} else if hasURL {
		c.errorf(n, "a status outside 300-399 (such as gone or 404) takes only a path: Redirect "+strconv.Itoa(status)+" /path",
			"Redirect URL not valid for this status")
		return
	}
	if inSection {
		d := c.aliasDir()
		d.Redirects = append(d.Redirects, rule)
	} else {
		as := c.aliasServer()
		as.Redirects = append(as.Redirects, rule)
	}
}

func compileAliasFlag(c *walkCtx, n *Node) {
	v := flag(n)
	d := c.aliasDir()
	if strings.EqualFold(c.Spec.Name, "RedirectRelative") {
		d.RelativeRedirects = &v
	} else {
		d.PreservePath = &v
	}
}

// StringExpr is an ap_expr string expression (the one-argument Alias and
// Redirect forms), split at load time into literal text, %{VAR} or
// %{func:arg} references and $N regex back-references. The serving code
// evaluates the parts per request.
type StringExpr struct {
	Text  string
	Parts []ExprPart
}

// ExprPart is one piece of a StringExpr: exactly one of Literal, Var
// (with Func set for %{func:arg}, Var then holding the argument) or
// BackRef (0-9, -1 when unused) applies.
type ExprPart struct {
	Literal string
	Var     string
	Func    string
	BackRef int
}

// IsLiteral reports whether the expression has no references.
func (e *StringExpr) IsLiteral() bool {
	for _, p := range e.Parts {
		if p.Var != "" || p.Func != "" || p.BackRef >= 0 {
			return false
		}
	}
	return true
}

// parseStringExpr splits an ap_expr string expression; the message is
// Apache's parser error for the cases it checks.
func parseStringExpr(s string) (*StringExpr, string) {
	e := &StringExpr{Text: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			e.Parts = append(e.Parts, ExprPart{Literal: lit.String(), BackRef: -1})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '%' && i+1 < len(s) && s[i+1] == '{':
			p, n, msg := parseExprVar(s[i+2:])
			if msg != "" {
				return nil, msg
			}
			flush()
			e.Parts = append(e.Parts, p)
			i += 2 + n
		case s[i] == '$' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			flush()
			e.Parts = append(e.Parts, ExprPart{BackRef: int(s[i+1] - '0')})
			i++
		case s[i] == '\\' && i+1 < len(s):
			lit.WriteByte(s[i+1])
			i++
		default:
			lit.WriteByte(s[i])
		}
	}
	flush()
	return e, ""
}

// parseExprVar reads the inside of %{…} from s (just after "%{"): a
// variable name, or function:argument. It returns the part, the bytes used
// including the closing '}', and Apache's parser message on error.
func parseExprVar(s string) (ExprPart, int, string) {
	p := ExprPart{BackRef: -1}
	i := 0
	for i < len(s) && isExprIdentByte(s[i], i > 0) {
		i++
	}
	if i == len(s) {
		return p, 0, "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"
	}
	if i == 0 {
		if s[0] == '}' {
			return p, 0, "syntax error, unexpected T_VAR_END, expecting T_ID"
		}
		return p, 0, "syntax error, unexpected T_ERROR, expecting T_ID: Invalid character in variable name '" + s[:1] + "'"
	}
	name := s[:i]
	switch s[i] {
	case '}':
		if !exprVarExists(name) {
			return p, 0, "Variable '" + name + "' does not exist"
		}
		p.Var = name
		return p, i + 1, ""
	case ':':
	default:
		return p, 0, "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Invalid character in variable name '" + s[i:i+1] + "'"
	}
	// function call: the argument runs to the matching '}' (nested %{…}
	// allowed).
	depth, j := 0, i+1
	for ; j < len(s); j++ {
		if s[j] == '%' && j+1 < len(s) && s[j+1] == '{' {
			depth++
			j++
		} else if s[j] == '}' {
			if depth == 0 {
				break
			}
			depth--
		}
	}
	if j >= len(s) {
		return p, 0, "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"
	}
	if j == i+1 {
		return p, 0, "syntax error, unexpected T_VAR_END, expecting T_ERROR or T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN"
	}
	if !exprFuncs[strings.ToLower(name)] {
		return p, 0, "Function '" + name + "' does not exist"
	}
	p.Func, p.Var = name, s[i+1:j]
	return p, j + 1, ""
}

// exprVars are ap_expr's built-in variables (util_expr_eval.c); mod_ssl
// adds HTTPS and SSL_*. Names compare case-insensitively.
var exprVars = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range strings.Fields(`REQUEST_METHOD REQUEST_SCHEME REQUEST_URI REQUEST_FILENAME REMOTE_HOST
		REMOTE_IDENT REMOTE_USER SERVER_ADMIN SERVER_NAME SERVER_PORT SERVER_PROTOCOL SCRIPT_FILENAME
		PATH_INFO QUERY_STRING IS_SUBREQ DOCUMENT_ROOT AUTH_TYPE THE_REQUEST CONTENT_TYPE HANDLER
		REQUEST_LOG_ID SCRIPT_USER SCRIPT_GROUP DOCUMENT_URI LAST_MODIFIED CONTEXT_PREFIX
		CONTEXT_DOCUMENT_ROOT REQUEST_STATUS REMOTE_ADDR REMOTE_PORT HTTPS IPV6 CONN_LOG_ID
		CONN_REMOTE_ADDR HTTP2 HTTP_USER_AGENT HTTP_PROXY_CONNECTION HTTP_REFERER HTTP_COOKIE
		HTTP_FORWARDED HTTP_HOST HTTP_ACCEPT TIME_YEAR TIME_MON TIME_DAY TIME_HOUR TIME_MIN TIME_SEC
		TIME_WDAY TIME SERVER_SOFTWARE API_VERSION`) {
		m[v] = true
	}
	return m
}()

// exprFuncs are ap_expr's string functions, lower-case.
var exprFuncs = map[string]bool{
	"osenv": true, "env": true, "resp": true, "req": true, "http": true, "note": true, "reqenv": true,
	"req_novary": true, "tolower": true, "toupper": true, "escape": true, "unescape": true, "file": true,
	"filesize": true, "base64": true, "unbase64": true, "sha1": true, "md5": true, "ldap": true,
}

func exprVarExists(name string) bool {
	up := strings.ToUpper(name)
	return exprVars[up] || strings.HasPrefix(up, "SSL_")
}

func isExprIdentByte(ch byte, notFirst bool) bool {
	return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch == '_' || notFirst && ch >= '0' && ch <= '9'
}
