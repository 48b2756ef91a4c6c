package claims

import (
	"context"
	"fmt"
	"time"

	"github.com/itchyny/gojq"
)

// ExprTimeout bounds the evaluation of one claims_expr program.
const ExprTimeout = 100 * time.Millisecond

// ExprRule is a compiled "Require claims_expr" line: each word is a jq
// program over the claims; the first word whose program yields true grants.
//
// This is an oidcgate extension as far as Debian 12 goes: its 2.4.12.3
// package is built without libjq, so mod_auth_openidc does not register
// the claims_expr provider and Apache refuses the directive. Where a
// libjq build exists, 2.4.12.3 (oidc_authz_match_claims_expr) feeds the
// claims dumped with json_dumps(claims, 0) to each program and grants when
// the *last* output is the JSON text "true" (jq_parse overwrites its result
// for every output; a jq error denies). oidcgate decides the same way, on
// the last output, with at most maxOutputs outputs and ExprTimeout. Unlike the claim provider, its line is
// not an ap_expr: the raw text is split with ap_getword_conf.
type ExprRule struct {
	progs []exprProg
}

type exprProg struct {
	src  string
	code *gojq.Code
}

// CompileClaimsExpr compiles the words of a "Require claims_expr" line as jq
// programs (github.com/itchyny/gojq). Words after the first empty word are
// ignored. A program that does not parse or compile is an error naming it.
// Programs see no environment ($ENV and env are empty) and no input beyond
// the claims.
func CompileClaimsExpr(args []string) (*ExprRule, error) {
	r := &ExprRule{}
	for _, w := range args {
		if w == "" {
			break
		}
		q, err := gojq.Parse(w)
		if err != nil {
			return nil, fmt.Errorf("claims_expr %q: %w", w, err)
		}
		code, err := gojq.Compile(q, gojq.WithEnvironLoader(func() []string { return nil }))
		if err != nil {
			return nil, fmt.Errorf("claims_expr %q: %w", w, err)
		}
		r.progs = append(r.progs, exprProg{src: w, code: code})
	}
	return r, nil
}

// Match reports whether a program of the rule grants: its last output is
// exactly JSON true (as libjq's loop in the module). An error, no output,
// more than maxOutputs outputs, or a run longer than ExprTimeout (checked
// by gojq between steps) does not grant.
func (r *ExprRule) Match(c Claims) bool {
	if r == nil || len(r.progs) == 0 {
		return false
	}
	input := c.toAny()
	for _, p := range r.progs {
		if p.run(input) {
			return true
		}
	}
	return false
}

func (p exprProg) run(input any) bool {
	ctx, cancel := context.WithTimeout(context.Background(), ExprTimeout)
	defer cancel()
	iter := p.code.RunWithContext(ctx, input)
	var last any
	n := 0
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if _, isErr := v.(error); isErr {
			return false
		}
		if n++; n > maxOutputs {
			return false
		}
		last = v
	}
	if n == 0 {
		return false
	}
	b, isBool := last.(bool)
	return isBool && b
}

// maxOutputs bounds how many outputs a program may produce.
const maxOutputs = 10000

// toAny converts the claims to the values gojq works on.
func (c Claims) toAny() any {
	return toAny(&value{kind: Object, obj: c.object()})
}

func toAny(v *value) any {
	switch v.kind {
	case Null:
		return nil
	case True:
		return true
	case False:
		return false
	case String:
		return v.str
	case Integer:
		if int64(int(v.i)) == v.i {
			return int(v.i)
		}
		return float64(v.i)
	case Real:
		return v.f
	case Array:
		a := make([]any, len(v.arr))
		for i, e := range v.arr {
			a[i] = toAny(e)
		}
		return a
	default:
		m := make(map[string]any, len(v.obj.keys))
		for i, k := range v.obj.keys {
			m[k] = toAny(v.obj.vals[i])
		}
		return m
	}
}
