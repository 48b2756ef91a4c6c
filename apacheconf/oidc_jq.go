package apacheconf

import (
	"github.com/itchyny/gojq"

	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// checkOIDCClaimsExpr validates OIDCFilterClaimsExpr and
// OIDCUserInfoClaimsExpr (current upstream only). Upstream parses the
// argument as an ap_expr string expression at load time (its error:
// "cannot parse expression: ...") and hands the evaluated text to libjq per
// request, where a program that does not compile leaves the claims
// unfiltered. oidcgate compiles a program without %{...} references here,
// so a broken one is refused at start-up with its file and line. A
// program with references is compiled when evaluated, per request; for
// OIDCFilterClaimsExpr, which oidcgate applies when a stored session is
// read rather than with the request that stored it, references are refused.
func checkOIDCClaimsExpr(key string, invalid func(string, ...any) string, v *OIDCValue) string {
	src, constant, err := ConstStringExpr(v.String())
	if err != nil {
		return invalid("cannot parse expression: %s", err.Error())
	}
	if !constant {
		if key == "oidcfilterclaimsexpr" {
			return invalid("%%{...} references are not supported by oidcgate: it applies the filter whenever a stored session is read, not with the request that stored it; write a literal jq program")
		}
		return ""
	}
	q, err := gojq.Parse(src)
	if err == nil {
		_, err = gojq.Compile(q, gojq.WithEnvironLoader(func() []string { return nil }))
	}
	if err != nil {
		return invalid("jq program does not compile: %s", err.Error())
	}
	return ""
}

// ConstStringExpr parses src as an ap_expr string expression and, when it
// reads nothing from a request (no %{VAR}, no function of one), returns
// its value; constant is false otherwise.
func ConstStringExpr(src string) (value string, constant bool, err error) {
	e, err := expr.Parse(src, expr.String)
	if err != nil {
		return "", false, err
	}
	var rv readVars
	s, err := e.String(&rv)
	if err != nil || rv.read {
		return "", false, nil
	}
	return s, true, nil
}

// readVars is an empty request that records whether it was read.
type readVars struct{ read bool }

func (r *readVars) Var(string) string            { r.read = true; return "" }
func (r *readVars) Header(string) string         { r.read = true; return "" }
func (r *readVars) ResponseHeader(string) string { r.read = true; return "" }
func (r *readVars) Env(string) (string, bool)    { r.read = true; return "", false }
func (r *readVars) Note(string) (string, bool)   { r.read = true; return "", false }
func (r *readVars) OSEnv(string) (string, bool)  { r.read = true; return "", false }
