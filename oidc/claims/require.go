package claims

import (
	"errors"
	"math"
)

// ClaimRule is a compiled "Require claim" line: its words are OR-ed, the
// first word that matches grants.
//
// How 2.4.12.3 gets the words (oidc_parse_config, oidc_authz_worker24):
// the text after "claim" is parsed once, at start-up, as an ap_expr
// *string* expression (AP_EXPR_FLAG_STRING_RESULT) and evaluated on every
// request; the result is split with ap_getword_conf (white space separated
// words, '…' and "…" quoting) and the words are tried until the first empty
// word. Measured with Apache 2.4.71 (testdata/apache_require_claim.tsv):
//
//   - backslash escapes are ap_expr's: `email~^a@b\.com$` reaches PCRE as
//     `^a@b.com$`, `\\.` as `\.`, `d:a\b` compares with "a<backspace>";
//   - %{VAR} is expanded per request (`method:%{REQUEST_METHOD}`), an
//     unknown variable or an unterminated %{ refuses the configuration;
//   - $0–$9 expand to nothing; `\$1` and `\%{X}` are literal;
//   - `"name:Ad Min"` is one word, `name:Ad Min` two; `"" sub:joe` denies.
//
// That expansion and splitting is Apache syntax and belongs to the caller:
// CompileRequireClaim takes the resulting words. A line without '%{', '$'
// and '\' evaluates to itself and can be split and compiled once.
type ClaimRule struct {
	words []claimWord
}

type claimWord struct {
	spec string
	// re maps the offset i of a '~' in spec to the pattern spec[i+1:]
	// (nil when Go cannot compile it: that alternative never matches).
	re map[int]*Regexp
}

// CompileRequireClaim compiles the words of a "Require claim" line. Words
// after the first empty word are ignored, as 2.4.12.3's loop stops there.
// Without any word the rule denies every request (2.4.12.3 logs "'require
// claim/expr' missing specification(s) in configuration, denying").
//
// A pattern after '~' that Go cannot compile is reported as a *PatternError
// (errors.As); the returned rule is then still usable and the pattern never
// matches, which is what 2.4.12.3 does at request time. Only the pattern
// after the first '~' of a word is reported: later '~' only matter for
// claim names that contain '~'.
func CompileRequireClaim(args []string) (*ClaimRule, error) {
	r := &ClaimRule{}
	var errs []error
	for _, w := range args {
		if w == "" {
			break
		}
		cw := claimWord{spec: w}
		first := true
		for i := 0; i < len(w); i++ {
			if w[i] != '~' {
				continue
			}
			re, err := CompilePCRE(w[i+1:])
			if err != nil && first {
				errs = append(errs, err)
			}
			first = false
			if cw.re == nil {
				cw.re = make(map[int]*Regexp)
			}
			cw.re[i] = re
		}
		r.words = append(r.words, cw)
	}
	return r, errors.Join(errs...)
}

// Words returns the words of the rule.
func (r *ClaimRule) Words() []string {
	out := make([]string, len(r.words))
	for i, w := range r.words {
		out[i] = w.spec
	}
	return out
}

// Match reports whether any word of the rule matches the claims, with
// 2.4.12.3's oidc_authz_match_claim. For each claim, in claim order, the
// word must start with the whole claim name, and the next character decides:
//
//   - ':' — the rest is compared with the claim value (see below); on no
//     match the next claim is tried;
//   - '~' — the rest is a PCRE pattern searched (unanchored) in a string
//     value or in each string element of an array value;
//   - '.' — an object value: the rest is matched against that object's
//     claims and its result is final (no further claim of this level is
//     tried); an array value: the rest is compared with the elements as for
//     ':' (["admin"] matches "roles.admin"), final too; any other value:
//     no match, final.
//
// Value comparison (oidc_authz_match_value): a string claim equals when
// apr_strnatcmp says so (white space ignored, see strnatcmp.go); an integer
// when it equals C's atoi of the text (leading white space and trailing
// garbage ignored, result truncated to 32 bits: "99abc" is 99,
// "4294967297" is 1); a boolean when "true"/"false" strnatcmp-equals the
// text; an array when a string, boolean or integer element does (nested
// arrays, objects, reals and nulls are skipped); reals, nulls and objects
// never match.
//
// Nothing matches when the claims are empty.
func (r *ClaimRule) Match(c Claims) bool {
	if r == nil || c.obj == nil {
		return false
	}
	for i := range r.words {
		if r.words[i].match(0, c.obj) {
			return true
		}
	}
	return false
}

func (w *claimWord) match(off int, o *object) bool {
	spec := w.spec
	for ki, key := range o.keys {
		// walk the common prefix of the claim name and the spec
		n := 0
		for n < len(key) && off+n < len(spec) && key[n] == spec[off+n] {
			n++
		}
		if n < len(key) || off+n >= len(spec) {
			continue
		}
		val := o.vals[ki]
		pos := off + n
		switch spec[pos] {
		case ':':
			if matchValue(spec[pos+1:], val) {
				return true
			}
		case '~':
			if re := w.re[pos]; re != nil && matchRegexp(re, val) {
				return true
			}
		case '.':
			switch val.kind {
			case Object:
				return w.match(pos+1, val.obj)
			case Array:
				return matchValue(spec[pos+1:], val)
			default:
				return false
			}
		}
	}
	return false
}

func matchValue(spec string, v *value) bool {
	switch v.kind {
	case String:
		return natEqual(v.str, spec)
	case Integer:
		return v.i == int64(cAtoi(spec))
	case True:
		return natEqual("true", spec)
	case False:
		return natEqual("false", spec)
	case Array:
		for _, e := range v.arr {
			switch e.kind {
			case String, Integer, True, False:
				if matchValue(spec, e) {
					return true
				}
			}
		}
	}
	return false
}

func matchRegexp(re *Regexp, v *value) bool {
	switch v.kind {
	case String:
		return re.MatchString(v.str)
	case Array:
		for _, e := range v.arr {
			if e.kind == String && re.MatchString(e.str) {
				return true
			}
		}
	}
	return false
}

// cAtoi is glibc's atoi: (int) strtol(s, NULL, 10) — leading C white space,
// an optional sign, decimal digits up to the first other byte; overflow
// clamps to the int64 range before the truncation to 32 bits.
func cAtoi(s string) int32 {
	i := 0
	for i < len(s) && cIsSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var u uint64 // magnitude, saturating above 1<<63
	const limit = uint64(1) << 63
	for ; i < len(s) && isDigit(s[i]); i++ {
		switch {
		case u > limit:
		case u > (limit+1)/10:
			u = limit + 1
		default:
			u = u*10 + uint64(s[i]-'0')
			if u > limit {
				u = limit + 1
			}
		}
	}
	var l int64
	switch {
	case neg && u >= limit:
		l = math.MinInt64
	case neg:
		l = -int64(u)
	case u >= limit:
		l = math.MaxInt64
	default:
		l = int64(u)
	}
	return int32(l)
}
