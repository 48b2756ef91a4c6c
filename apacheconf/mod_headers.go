package apacheconf

import (
	"regexp"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// mod_headers: Header and RequestHeader, compiled at load time.

var headersHandlers = map[string]handler{
	"header":        compileHeader,
	"requestheader": compileHeader,
}

// HeaderAction is a mod_headers action.
type HeaderAction uint8

const (
	HeaderSet HeaderAction = iota
	HeaderAdd
	HeaderAppend
	HeaderMerge
	HeaderUnset
	HeaderEcho
	HeaderEdit
	HeaderEditAll // edit*
	HeaderSetIfEmpty
	HeaderNote
)

var headerActions = map[string]HeaderAction{
	"set": HeaderSet, "add": HeaderAdd, "append": HeaderAppend, "merge": HeaderMerge, "unset": HeaderUnset,
	"echo": HeaderEcho, "edit": HeaderEdit, "edit*": HeaderEditAll, "setifempty": HeaderSetIfEmpty, "note": HeaderNote,
}

// FormatPart is one piece of a header value format: literal text, or a
// %-tag with its optional {argument}.
type FormatPart struct {
	Literal string
	// Tag is the tag letter ('t', 'D', 'e', 's', 'l', 'i', 'b'), 0 for a
	// literal.
	Tag byte
	Arg string
}

// HeaderOp is one Header or RequestHeader directive.
type HeaderOp struct {
	Pos Pos
	// Request is true for RequestHeader.
	Request bool
	// Always is the "always" condition of Header (response headers of
	// every response, not only successful ones).
	Always bool
	Action HeaderAction
	Name   string
	// Value is the compiled value (set, add, append, merge, setifempty,
	// note) or the edit replacement.
	Value []FormatPart
	// Match is the header-name pattern of echo, or the value pattern of
	// edit/edit*.
	Match *regexp.Regexp
	// Early runs the operation before the request's sections are merged.
	Early bool
	// EnvVar and EnvNegate are the env=[!]VAR condition; Expr is the
	// expr= condition as written.
	EnvVar    string
	EnvNegate bool
	Expr      string
	// Cond is Expr parsed (a boolean ap_expr), evaluated per request.
	Cond *expr.Expr
	// ValueExpr is an "expr=" value (or edit replacement), a string
	// ap_expr evaluated per request instead of Value.
	ValueExpr *expr.Expr
}

// HeadersDir holds the header operations of a scope; a later section's
// operations run after the enclosing ones (append, outer first).
type HeadersDir struct {
	Response []*HeaderOp
	Request  []*HeaderOp
}

// Merge appends add's operations after base's.
func (base *HeadersDir) Merge(add *HeadersDir) *HeadersDir {
	if add == nil {
		return base
	}
	if base == nil {
		return add
	}
	return &HeadersDir{
		Response: append(append([]*HeaderOp(nil), base.Response...), add.Response...),
		Request:  append(append([]*HeaderOp(nil), base.Request...), add.Request...),
	}
}

func compileHeader(c *walkCtx, n *Node) {
	op, msg := parseHeaderOp(n.Raw, n.Key() == "requestheader")
	if msg != "" {
		c.errorf(n, "", "%s", msg)
		return
	}
	op.Pos = n.Pos
	if c.Dir.Headers == nil {
		c.Dir.Headers = &HeadersDir{}
	}
	if op.Request {
		c.Dir.Headers.Request = append(c.Dir.Headers.Request, op)
	} else {
		c.Dir.Headers.Response = append(c.Dir.Headers.Response, op)
	}
}

// parseHeaderOp parses the arguments of Header/RequestHeader as
// mod_headers does and returns Apache's error text for bad input.
func parseHeaderOp(raw string, request bool) (*HeaderOp, string) {
	const needThree = "Header requires three arguments"
	words := SplitWords(raw)
	op := &HeaderOp{Request: request}
	i := 0
	next := func() (string, bool) {
		if i < len(words) {
			i++
			return words[i-1].Text, true
		}
		return "", false
	}
	first, ok := next()
	if !ok {
		return nil, needThree
	}
	if !request && (strings.EqualFold(first, "always") || strings.EqualFold(first, "onsuccess")) {
		op.Always = strings.EqualFold(first, "always")
		if first, ok = next(); !ok {
			return nil, needThree
		}
	}
	action, known := headerActions[strings.ToLower(first)]
	if !known {
		return nil, "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'."
	}
	op.Action = action
	if op.Name, ok = next(); !ok {
		return nil, needThree
	}
	// Apache takes at most a value, a substitution and an env clause,
	// then hands them to the action.
	val, hasVal := next()
	subs, hasSubs := next()
	envclause, hasEnv := next()
	if _, more := next(); more {
		name := "Header"
		if request {
			name = "RequestHeader"
		}
		return nil, name + " has too many arguments"
	}
	var value string
	switch action {
	case HeaderUnset, HeaderEcho:
		if action == HeaderEcho && request {
			return nil, "Header echo only valid on Header directives"
		}
		if hasSubs {
			return nil, "header " + first + " takes two arguments"
		}
		envclause, hasEnv = val, hasVal
		if action == HeaderEcho {
			re, err := compileRegex("", op.Name)
			if err != nil {
				return nil, "Header echo regex could not be compiled"
			}
			op.Match = re
		}
	case HeaderEdit, HeaderEditAll:
		if !hasVal || !hasSubs {
			return nil, "Header edit requires a match and a substitution"
		}
		re, err := compileRegex("", val)
		if err != nil {
			return nil, "Header edit regex could not be compiled"
		}
		op.Match = re
		value = subs
	default:
		if !hasVal {
			return nil, needThree
		}
		value = val
		if hasSubs {
			if hasEnv {
				return nil, "Too many arguments to directive"
			}
			envclause, hasEnv = subs, true
		}
	}
	if hasEnv {
		switch {
		case strings.EqualFold(envclause, "early"):
			op.Early = true
		case len(envclause) >= 4 && strings.EqualFold(envclause[:4], "env="):
			name := envclause[4:]
			if strings.HasPrefix(name, "!") {
				op.EnvNegate, name = true, name[1:]
			}
			if name == "" {
				return nil, "error: missing environment variable name. envclause should be in the form env=envar "
			}
			op.EnvVar = name
		case len(envclause) >= 5 && strings.EqualFold(envclause[:5], "expr="):
			op.Expr = envclause[5:]
			x, err := expr.Parse(op.Expr, expr.Boolean)
			if err != nil {
				return nil, "Can't parse envclause/expression: " + err.Error()
			}
			op.Cond = x
		default:
			return nil, "Unknown parameter: " + envclause
		}
	}
	if action != HeaderUnset && action != HeaderEcho && strings.HasPrefix(value, "expr=") {
		// mod_headers: a value (or edit replacement) starting with "expr="
		// (case-sensitive) is a string expression.
		x, err := expr.Parse(value[5:], expr.String)
		if err != nil {
			return nil, "Can't parse value expression : " + err.Error()
		}
		op.ValueExpr = x
		return op, ""
	}
	if action != HeaderUnset && action != HeaderEcho {
		parts, msg := parseHeaderFormat(value)
		if msg != "" {
			return nil, msg
		}
		op.Value = parts
	}
	return op, ""
}

// parseHeaderFormat compiles a mod_headers value: literal text with %%,
// %t, %D, %l, %i, %b, %{VAR}e and %{VAR}s.
func parseHeaderFormat(s string) ([]FormatPart, string) {
	var parts []FormatPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, FormatPart{Literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			lit.WriteByte(s[i])
			continue
		}
		i++
		if i >= len(s) {
			lit.WriteByte('%')
			break
		}
		if s[i] == '%' {
			lit.WriteByte('%')
			continue
		}
		arg := ""
		if s[i] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, "Unrecognized header format %" + s[i:i+1]
			}
			arg = s[i+1 : i+end]
			i += end + 1
			if i >= len(s) {
				return nil, "Unrecognized header format %"
			}
		}
		switch s[i] {
		case 't', 'D', 'e', 's', 'l', 'i', 'b':
			flush()
			parts = append(parts, FormatPart{Tag: s[i], Arg: arg})
		default:
			return nil, "Unrecognized header format %" + s[i:i+1]
		}
	}
	flush()
	return parts, ""
}
