package claims

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"

	"github.com/itchyny/gojq"
)

// JQFilter is a compiled OIDCFilterClaimsExpr or OIDCUserInfoClaimsExpr
// program (current upstream only; 2.4.12.3 has neither directive). It
// rewrites a claims object: upstream's oidc_util_jq_filter dumps the claims
// as compact JSON, runs the program on them and keeps the text of the
// *last* output (libjq's loop overwrites its result per output, and a
// runtime error ends the loop, keeping what came before); the caller then
// wants that text to be a JSON object, and uses no claims at all when it is
// not. A JQFilter is immutable and safe for concurrent use.
type JQFilter struct {
	src  string
	code *gojq.Code
}

// ErrJQNotObject is returned by Apply when the program produced no output,
// or its last output is not an object.
var ErrJQNotObject = errors.New("jq filter result is not a JSON object")

// CompileJQFilter compiles src as a jq program (github.com/itchyny/gojq).
// Like CompileClaimsExpr's, it sees no environment ($ENV is empty) and no
// input beyond the claims.
func CompileJQFilter(src string) (*JQFilter, error) {
	q, err := gojq.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("jq filter %q: %w", src, err)
	}
	code, err := gojq.Compile(q, gojq.WithEnvironLoader(func() []string { return nil }))
	if err != nil {
		return nil, fmt.Errorf("jq filter %q: %w", src, err)
	}
	return &JQFilter{src: src, code: code}, nil
}

// Source returns the program as compiled.
func (f *JQFilter) Source() string { return f.src }

// Apply runs the program on c and returns its last output as claims. It
// fails (and the caller must then use no claims) when the program yields
// nothing, when its last output before an error or the end is not an
// object, when it produces more than maxOutputs outputs, or when it runs
// longer than ExprTimeout.
//
// Key order: libjq keeps an object's keys in insertion order; gojq's
// objects are Go maps. The result keeps the keys the input object (at the
// same path) had in the input's order, followed by new keys sorted by
// name — the same as libjq for del(...), . + {...}, |= and map_values, and
// for a newly built object ({sub, name}) the same set of keys in possibly
// another order.
func (f *JQFilter) Apply(c Claims) (Claims, error) {
	in := &value{kind: Object, obj: c.object()}
	ctx, cancel := context.WithTimeout(context.Background(), ExprTimeout)
	defer cancel()
	iter := f.code.RunWithContext(ctx, toAny(in))
	var last any
	n := 0
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := v.(error); isErr {
			if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
				return Claims{}, fmt.Errorf("jq filter ran longer than %v", ExprTimeout)
			}
			break // libjq: an error ends the outputs; the last one counts
		}
		if n++; n > maxOutputs {
			return Claims{}, fmt.Errorf("jq filter produced more than %d outputs", maxOutputs)
		}
		last = v
	}
	m, ok := last.(map[string]any)
	if n == 0 || !ok {
		return Claims{}, ErrJQNotObject
	}
	out := fromAny(m, in, 0)
	if out == nil {
		return Claims{}, ErrJQNotObject
	}
	return Claims{obj: out.obj}, nil
}

// fromAny converts a gojq value back to a claims value; like, when not
// nil, is the input value at the same path, whose key order objects keep.
// nil when the value cannot be a JSON value (NaN/Inf cannot be produced
// from JSON input by jq's arithmetic without turning into null, but gojq
// may hand them back) or nests deeper than maxDepth.
func fromAny(v any, like *value, depth int) *value {
	if depth > maxDepth {
		return nil
	}
	switch x := v.(type) {
	case nil:
		return &value{kind: Null}
	case bool:
		if x {
			return &value{kind: True}
		}
		return &value{kind: False}
	case string:
		return &value{kind: String, str: x}
	case int:
		return &value{kind: Integer, i: int64(x), str: strconv.Itoa(x)}
	case *big.Int:
		if x.IsInt64() {
			return &value{kind: Integer, i: x.Int64(), str: x.String()}
		}
		f, _ := new(big.Float).SetInt(x).Float64()
		return realValue(f)
	case float64:
		return realValue(x)
	case []any:
		a := &value{kind: Array, arr: make([]*value, 0, len(x))}
		for i, e := range x {
			var l *value
			if like != nil && like.kind == Array && i < len(like.arr) {
				l = like.arr[i]
			}
			ev := fromAny(e, l, depth+1)
			if ev == nil {
				return nil
			}
			a.arr = append(a.arr, ev)
		}
		return a
	case map[string]any:
		o := newObject(len(x))
		if like != nil && like.kind == Object && like.obj != nil {
			for i, k := range like.obj.keys {
				if e, ok := x[k]; ok {
					ev := fromAny(e, like.obj.vals[i], depth+1)
					if ev == nil {
						return nil
					}
					o.set(k, ev)
				}
			}
		}
		rest := make([]string, 0, len(x)-len(o.keys))
		for k := range x {
			if _, done := o.index[k]; !done {
				rest = append(rest, k)
			}
		}
		sort.Strings(rest)
		for _, k := range rest {
			ev := fromAny(x[k], nil, depth+1)
			if ev == nil {
				return nil
			}
			o.set(k, ev)
		}
		return &value{kind: Object, obj: o}
	}
	return nil
}

// realValue is a jq number as libjq prints it (integral values as
// integers, the rest with the shortest round-trip digits), re-read as
// jansson would: an integer when it prints as one.
func realValue(f float64) *value {
	if math.IsNaN(f) {
		return &value{kind: Null} // jq prints NaN as null
	}
	if math.IsInf(f, 0) {
		// jq prints ±infinity as ±DBL_MAX
		f = math.Copysign(math.MaxFloat64, f)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e17 {
		return &value{kind: Integer, i: int64(f), str: strconv.FormatInt(int64(f), 10)}
	}
	return &value{kind: Real, f: f, str: strconv.FormatFloat(f, 'g', -1, 64)}
}
