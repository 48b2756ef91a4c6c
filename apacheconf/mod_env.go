package apacheconf

import (
	"github.com/oidcgate/oidcgate/apacheconf/expr"
	"regexp"
	"strings"
)

// mod_env (SetEnv, UnsetEnv, PassEnv) and mod_setenvif (SetEnvIf,
// SetEnvIfNoCase, BrowserMatch, BrowserMatchNoCase, SetEnvIfExpr): the
// request environment, compiled at load time.

var envHandlers = map[string]handler{
	"setenv":             compileSetEnv,
	"passenv":            compilePassEnv,
	"unsetenv":           compileUnsetEnv,
	"setenvif":           compileSetEnvIf,
	"setenvifnocase":     compileSetEnvIf,
	"browsermatch":       compileSetEnvIf,
	"browsermatchnocase": compileSetEnvIf,
	"setenvifexpr":       compileSetEnvIfExpr,
}

// whyRE2 is the hint for a regex Go refuses: Apache uses PCRE, oidcgate
// Go's RE2, which has no lookaround or backreferences.
const whyRE2 = "oidcgate compiles regexes with Go's RE2 syntax, which has no lookaround ((?=, (?!, (?<=) and no backreferences (\\1); rewrite the pattern without them"

// EnvVar is one SetEnv or PassEnv variable.
type EnvVar struct {
	Pos  Pos
	Name string
	// Value is SetEnv's value ("" when SetEnv has one argument).
	Value string
	// Pass marks PassEnv: the value is oidcgate's own environment variable
	// of that name, read when the configuration is loaded (Apache reads it
	// at startup and warns AH01506 when it is not set).
	Pass bool
}

// EnvUnset is one name of an UnsetEnv line.
type EnvUnset struct {
	Pos  Pos
	Name string
}

// EnvIfSubject says what a SetEnvIf rule tests.
type EnvIfSubject uint8

const (
	// EnvIfHeader tests the request header Name, or, when it is absent, the
	// environment variable Name; with NameRegex set, the last request header
	// whose name matches it.
	EnvIfHeader EnvIfSubject = iota
	EnvIfRemoteAddr
	EnvIfRemoteHost
	EnvIfRequestURI
	EnvIfRequestMethod
	EnvIfRequestProtocol
	EnvIfServerAddr
	// EnvIfExpr is SetEnvIfExpr: the ap_expr in Expr decides.
	EnvIfExpr
)

var envIfSpecial = map[string]EnvIfSubject{
	"remote_addr": EnvIfRemoteAddr, "remote_host": EnvIfRemoteHost, "request_uri": EnvIfRequestURI,
	"request_method": EnvIfRequestMethod, "request_protocol": EnvIfRequestProtocol, "server_addr": EnvIfServerAddr,
}

// plainHeaderName is mod_setenvif's test for a header name that is not a
// regex.
var plainHeaderName = regexp.MustCompile(`^[-A-Za-z0-9_]*$`)

// EnvAssign is one variable of a SetEnvIf line: VAR, VAR=value or !VAR.
type EnvAssign struct {
	Name string
	// Value is what the variable is set to ("1" for a bare VAR). $0–$9 in
	// it are replaced from the match when Substitute is true.
	Value string
	// Unset removes the variable (!VAR, or a value that starts with '!').
	Unset bool
	// Substitute is true when the rule's pattern is a regex (mod_setenvif
	// only expands $N for real regexes, not for plain strings).
	Substitute bool
}

// SetEnvIfRule is one SetEnvIf, SetEnvIfNoCase, BrowserMatch,
// BrowserMatchNoCase or SetEnvIfExpr line.
type SetEnvIfRule struct {
	Pos Pos
	// Directive is the directive as registered ("BrowserMatchNoCase").
	Directive string
	Subject   EnvIfSubject
	// Name is the attribute as written ("User-Agent" for BrowserMatch).
	Name string
	// NameRegex is set when Name is a regex over request header names.
	NameRegex *regexp.Regexp
	// Pattern is the value regex as written; Regex is its compiled form
	// (case-insensitive for the NoCase forms). A missing header is tested
	// as the empty string.
	Pattern string
	Regex   *regexp.Regexp
	// Expr is SetEnvIfExpr's expression as written; Compiled its parsed
	// form, evaluated per request (nil when it does not parse, or when a
	// value uses a $0-$9 back-reference, which is not evaluated).
	Expr     string
	Compiled *expr.Expr
	Assign   []EnvAssign
}

// EnvDir is the request environment a scope sets.
//
// SetEnv/PassEnv/UnsetEnv (mod_env): a later section's variables are laid
// over the enclosing ones by name (case-insensitively, as Apache's tables),
// and its UnsetEnv names remove enclosing variables first; an UnsetEnv after
// a SetEnv of the same name in one scope removes it there too. Applied in
// the fixups phase (after authentication, before RequestHeader).
//
// SetEnvIf family (mod_setenvif): rules of later sections are appended
// after the enclosing ones and run in order at header parsing (before
// authentication). Rules written at server level (outside any section) are
// kept apart in Early: Apache runs them once, right after the request is
// read and before URL translation (so they can set no-proxy), and never
// again at header parsing; a virtual host runs the main server's first.
type EnvDir struct {
	Set   []EnvVar
	Unset []EnvUnset
	Early []*SetEnvIfRule
	Cond  []*SetEnvIfRule
}

// Merge lays add over base with mod_env's and mod_setenvif's rules. The
// result's Unset is empty: Apache applies a scope's UnsetEnv only to what
// encloses it.
func (base *EnvDir) Merge(add *EnvDir) *EnvDir {
	if add == nil {
		return base
	}
	if base == nil {
		base = &EnvDir{}
	}
	out := &EnvDir{
		Early: append(append([]*SetEnvIfRule(nil), base.Early...), add.Early...),
		Cond:  append(append([]*SetEnvIfRule(nil), base.Cond...), add.Cond...),
	}
	for _, v := range base.Set {
		if !envUnsetHas(add.Unset, v.Name) {
			out.Set = append(out.Set, v)
		}
	}
	for _, v := range add.Set {
		out.Set = envSetPut(out.Set, v)
	}
	return out
}

func envUnsetHas(list []EnvUnset, name string) bool {
	for _, u := range list {
		if strings.EqualFold(u.Name, name) {
			return true
		}
	}
	return false
}

// envSetPut replaces the variable of the same name (case-insensitively) in
// place or appends v; list is never shared with an input when called from
// Merge.
func envSetPut(list []EnvVar, v EnvVar) []EnvVar {
	for i := range list {
		if strings.EqualFold(list[i].Name, v.Name) {
			list[i] = v
			return list
		}
	}
	return append(list, v)
}

func envDir(c *walkCtx) *EnvDir {
	if c.Dir.Env == nil {
		c.Dir.Env = &EnvDir{}
	}
	return c.Dir.Env
}

func compileSetEnv(c *walkCtx, n *Node) {
	name := n.Args[0].Text
	v := EnvVar{Pos: n.Pos, Name: name}
	if len(n.Args) > 1 {
		v.Value = n.Args[1].Text
	}
	if i := strings.IndexByte(name, '='); i >= 0 {
		// Apache's apr_strtok: the name up to the first '=', the rest after
		// the run of '='.
		first, rest := name[:i], strings.TrimLeft(name[i:], "=")
		if j := strings.IndexByte(rest, '='); j >= 0 {
			rest = rest[:j]
		}
		c.warnf(n, "SetEnv takes the name and the value as two words", "Spurious usage of '=' in an environment variable name. '%s %s %s' expected instead?", n.Name, first, rest)
	}
	e := envDir(c)
	e.Set = envSetPut(e.Set, v)
}

func compilePassEnv(c *walkCtx, n *Node) {
	e := envDir(c)
	for _, w := range n.Args {
		e.Set = envSetPut(e.Set, EnvVar{Pos: n.Pos, Name: w.Text, Pass: true})
	}
}

func compileUnsetEnv(c *walkCtx, n *Node) {
	e := envDir(c)
	for _, w := range n.Args {
		e.Unset = append(e.Unset, EnvUnset{Pos: n.Pos, Name: w.Text})
		kept := e.Set[:0:0]
		for _, v := range e.Set {
			if !strings.EqualFold(v.Name, w.Text) {
				kept = append(kept, v)
			}
		}
		e.Set = kept
	}
}

// compileSetEnvIf handles SetEnvIf, SetEnvIfNoCase and the BrowserMatch
// forms (which test User-Agent).
func compileSetEnvIf(c *walkCtx, n *Node) {
	rule, msg := parseSetEnvIf(c.Spec.Name, n.Raw)
	if msg != "" {
		hint := ""
		if strings.HasSuffix(msg, "could not be compiled.") {
			hint = whyRE2
		}
		c.errorf(n, hint, "%s", msg)
		return
	}
	rule.Pos = n.Pos
	addEnvIfRule(c, rule)
}

func addEnvIfRule(c *walkCtx, rule *SetEnvIfRule) {
	e := envDir(c)
	if c.atServer() {
		e.Early = append(e.Early, rule)
	} else {
		e.Cond = append(e.Cond, rule)
	}
}

// parseSetEnvIf parses the arguments of the SetEnvIf family as
// mod_setenvif does; directive is the registered name, which Apache puts in
// its errors.
func parseSetEnvIf(directive, raw string) (*SetEnvIfRule, string) {
	words := SplitWords(raw)
	rule := &SetEnvIfRule{Directive: directive}
	lname := strings.ToLower(directive)
	icase := strings.HasSuffix(lname, "nocase")
	if strings.HasPrefix(lname, "browsermatch") {
		rule.Name = "User-Agent"
	} else {
		if len(words) == 0 || words[0].Text == "" {
			return nil, "Missing header-field name for " + directive
		}
		rule.Name, words = words[0].Text, words[1:]
	}
	if len(words) == 0 || words[0].Text == "" {
		return nil, "Missing regular expression for " + directive
	}
	rule.Pattern, words = words[0].Text, words[1:]
	flags := ""
	if icase {
		flags = "(?i)"
	}
	re, err := compileRegex(flags, rule.Pattern)
	if err != nil {
		return nil, directive + " regex could not be compiled."
	}
	rule.Regex = re
	if s, ok := envIfSpecial[strings.ToLower(rule.Name)]; ok {
		rule.Subject = s
	} else if !plainHeaderName.MatchString(rule.Name) {
		nre, err := compileRegex(flags, rule.Name)
		if err != nil {
			return nil, directive + "Header name regex could not be compiled."
		}
		rule.NameRegex = nre
	}
	assign, msg := parseEnvAssigns(directive, words, isRegexPattern(rule.Pattern))
	if msg != "" {
		return nil, msg
	}
	rule.Assign = assign
	return rule, ""
}

// parseEnvAssigns reads the variable list of a SetEnvIf line (add_envvars).
// Later words for the same variable replace earlier ones, as Apache's table.
func parseEnvAssigns(directive string, words []Word, substitute bool) ([]EnvAssign, string) {
	var out []EnvAssign
	for _, w := range words {
		if w.Text == "" {
			break // ap_getword_conf's empty word ends the list
		}
		var a EnvAssign
		name, value, hasEq := strings.Cut(w.Text, "=")
		switch {
		case hasEq && value != "":
			a = EnvAssign{Name: name, Value: value, Unset: value[0] == '!', Substitute: substitute}
		case strings.HasPrefix(name, "!"):
			a = EnvAssign{Name: name[1:], Value: "!", Unset: true}
		default:
			a = EnvAssign{Name: name, Value: "1", Substitute: substitute}
		}
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Name, a.Name) {
				out[i], replaced = a, true
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, "Missing envariable expression for " + directive
	}
	return out, ""
}

// isRegexPattern reports whether mod_setenvif treats a pattern as a regex
// rather than a plain string (non_regex_pattern): any unescaped regex
// metacharacter, or an escaped ordinary character, makes it a regex.
func isRegexPattern(s string) bool {
	esc := false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case strings.IndexByte("^.$|()[]*+?{}", ch) >= 0:
			if !esc {
				return true
			}
			esc = false
		case ch == '\\':
			esc = !esc
		default:
			if esc {
				return true
			}
		}
	}
	return false
}

func compileSetEnvIfExpr(c *walkCtx, n *Node) {
	words := SplitWords(n.Raw)
	if len(words) == 0 || words[0].Text == "" {
		c.errorf(n, "", "Missing expression for %s", c.Spec.Name)
		return
	}
	rule := &SetEnvIfRule{Pos: n.Pos, Directive: c.Spec.Name, Subject: EnvIfExpr, Expr: words[0].Text}
	assign, msg := parseEnvAssigns(c.Spec.Name, words[1:], true)
	if msg != "" {
		c.errorf(n, "", "%s", msg)
		return
	}
	rule.Assign = assign
	if x, err := expr.Parse(rule.Expr, expr.Boolean); err == nil && !usesBackRef(assign) {
		rule.Compiled = x
	}
	addEnvIfRule(c, rule)
}

// usesBackRef reports whether an assignment's value refers to a regex
// group ($0-$9), which SetEnvIfExpr takes from the expression's last match.
func usesBackRef(as []EnvAssign) bool {
	for _, a := range as {
		for i := 0; i+1 < len(a.Value); i++ {
			if a.Value[i] == '$' && a.Value[i+1] >= '0' && a.Value[i+1] <= '9' {
				return true
			}
		}
	}
	return false
}
