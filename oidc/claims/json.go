package claims

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a value, as jansson distinguishes them: integers
// and reals are different kinds.
type Kind uint8

// The JSON kinds.
const (
	Null Kind = iota
	False
	True
	String
	Integer
	Real
	Array
	Object
)

// maxDepth is jansson's JSON_PARSER_MAX_DEPTH: nesting deeper than this is
// a parse error.
const maxDepth = 2048

// value is one parsed JSON value.
type value struct {
	kind Kind
	str  string  // String: the decoded string; Integer/Real: the source text
	i    int64   // Integer
	f    float64 // Real
	arr  []*value
	obj  *object
}

// object is an ordered JSON object with unique keys.
type object struct {
	keys  []string
	vals  []*value
	index map[string]int
}

func newObject(n int) *object {
	return &object{keys: make([]string, 0, n), vals: make([]*value, 0, n), index: make(map[string]int, n)}
}

// set replaces the value of an existing key in place or appends a new key,
// as jansson's json_object_set (hashtable_set) does.
func (o *object) set(k string, v *value) {
	if i, ok := o.index[k]; ok {
		o.vals[i] = v
		return
	}
	o.index[k] = len(o.keys)
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

func (o *object) get(k string) (*value, bool) {
	if o == nil {
		return nil, false
	}
	i, ok := o.index[k]
	if !ok {
		return nil, false
	}
	return o.vals[i], true
}

// Claims is an ordered JSON object: the claims of an id_token, a userinfo
// response, an introspection result or their merge. The zero value is an
// empty object. A Claims is immutable once built and safe for concurrent
// use.
type Claims struct {
	obj *object
}

// SyntaxError is a JSON document that jansson 2.14 would refuse. Msg uses
// jansson's wording where it has one.
type SyntaxError struct {
	Msg    string
	Offset int // byte offset in the input
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("claims: invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

// Parse decodes a JSON object the way 2.4.12.3 decodes every claims set
// (oidc_util_decode_json_object and oidc_jose's payload parsing both call
// json_loads(str, 0)):
//
//   - the top level must be an object ("parsed JSON did not contain a JSON
//     object" otherwise; jansson itself already wants '{' or '[');
//   - the input is a C string: it ends at the first NUL byte;
//   - duplicate keys are accepted; the last value wins and the key keeps the
//     position of its first occurrence (jansson's hashtable_set replaces the
//     value in place). Go's encoding/json also keeps the last value;
//   - integers outside int64 are an error ("too big integer"), reals whose
//     magnitude overflows a double are an error ("real number overflow"),
//     underflow gives 0;
//   - "\u0000" in a string or key, raw control characters in strings, lone
//     surrogate escapes, invalid UTF-8 and nesting deeper than 2048 are
//     errors;
//   - only space, tab, CR and LF are whitespace.
func Parse(data []byte) (Claims, error) {
	if i := indexByte(data, 0); i >= 0 {
		data = data[:i]
	}
	p := &parser{s: data}
	p.skipWS()
	if p.pos >= len(p.s) {
		return Claims{}, p.err("'[' or '{' expected")
	}
	if c := p.s[p.pos]; c != '{' {
		if c == '[' {
			if _, err := p.value(0); err != nil {
				return Claims{}, err
			}
			p.skipWS()
			if p.pos < len(p.s) {
				return Claims{}, p.err("end of file expected")
			}
			return Claims{}, &SyntaxError{Msg: "parsed JSON did not contain a JSON object", Offset: 0}
		}
		return Claims{}, p.err("'[' or '{' expected")
	}
	v, err := p.value(0)
	if err != nil {
		return Claims{}, err
	}
	p.skipWS()
	if p.pos < len(p.s) {
		return Claims{}, p.err("end of file expected")
	}
	return Claims{obj: v.obj}, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

type parser struct {
	s   []byte
	pos int
}

func (p *parser) err(msg string) error { return &SyntaxError{Msg: msg, Offset: p.pos} }

func (p *parser) skipWS() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*value, error) {
	depth++
	if depth > maxDepth {
		return nil, p.err("maximum parsing depth reached")
	}
	p.skipWS()
	if p.pos >= len(p.s) {
		return nil, p.err("unexpected end of input")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		p.pos++
		o := newObject(8)
		p.skipWS()
		if p.pos < len(p.s) && p.s[p.pos] == '}' {
			p.pos++
			return &value{kind: Object, obj: o}, nil
		}
		for {
			p.skipWS()
			if p.pos >= len(p.s) || p.s[p.pos] != '"' {
				return nil, p.err("string or '}' expected")
			}
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			if strings.IndexByte(k, 0) >= 0 {
				return nil, p.err("NUL byte in object key not supported")
			}
			p.skipWS()
			if p.pos >= len(p.s) || p.s[p.pos] != ':' {
				return nil, p.err("':' expected")
			}
			p.pos++
			v, err := p.value(depth)
			if err != nil {
				return nil, err
			}
			o.set(k, v)
			p.skipWS()
			if p.pos < len(p.s) && p.s[p.pos] == '}' {
				p.pos++
				return &value{kind: Object, obj: o}, nil
			}
			if p.pos >= len(p.s) || p.s[p.pos] != ',' {
				return nil, p.err("'}' expected")
			}
			p.pos++
		}
	case c == '[':
		p.pos++
		var a []*value
		p.skipWS()
		if p.pos < len(p.s) && p.s[p.pos] == ']' {
			p.pos++
			return &value{kind: Array, arr: []*value{}}, nil
		}
		for {
			v, err := p.value(depth)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
			p.skipWS()
			if p.pos < len(p.s) && p.s[p.pos] == ']' {
				p.pos++
				return &value{kind: Array, arr: a}, nil
			}
			if p.pos >= len(p.s) || p.s[p.pos] != ',' {
				return nil, p.err("']' expected")
			}
			p.pos++
		}
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		if strings.IndexByte(s, 0) >= 0 {
			return nil, p.err("\\u0000 is not allowed without JSON_ALLOW_NUL")
		}
		return &value{kind: String, str: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case isAlpha(c):
		start := p.pos
		for p.pos < len(p.s) && isAlpha(p.s[p.pos]) {
			p.pos++
		}
		switch string(p.s[start:p.pos]) {
		case "true":
			return &value{kind: True}, nil
		case "false":
			return &value{kind: False}, nil
		case "null":
			return &value{kind: Null}, nil
		}
		p.pos = start
		return nil, p.err("invalid token")
	default:
		return nil, p.err("unexpected token")
	}
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser) number() (*value, error) {
	start := p.pos
	if p.s[p.pos] == '-' {
		p.pos++
	}
	if p.pos >= len(p.s) {
		return nil, p.err("invalid token")
	}
	if p.s[p.pos] == '0' {
		p.pos++
		if p.pos < len(p.s) && isDigit(p.s[p.pos]) {
			return nil, p.err("invalid token")
		}
	} else if isDigit(p.s[p.pos]) {
		for p.pos < len(p.s) && isDigit(p.s[p.pos]) {
			p.pos++
		}
	} else {
		return nil, p.err("invalid token")
	}
	real := false
	if p.pos < len(p.s) && p.s[p.pos] == '.' {
		real = true
		p.pos++
		if p.pos >= len(p.s) || !isDigit(p.s[p.pos]) {
			return nil, p.err("invalid token")
		}
		for p.pos < len(p.s) && isDigit(p.s[p.pos]) {
			p.pos++
		}
	}
	if p.pos < len(p.s) && (p.s[p.pos] == 'e' || p.s[p.pos] == 'E') {
		real = true
		p.pos++
		if p.pos < len(p.s) && (p.s[p.pos] == '+' || p.s[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= len(p.s) || !isDigit(p.s[p.pos]) {
			return nil, p.err("invalid token")
		}
		for p.pos < len(p.s) && isDigit(p.s[p.pos]) {
			p.pos++
		}
	}
	text := string(p.s[start:p.pos])
	if !real {
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			p.pos = start
			if text[0] == '-' {
				return nil, p.err("too big negative integer")
			}
			return nil, p.err("too big integer")
		}
		return &value{kind: Integer, str: text, i: i}, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		// ParseFloat reports ERANGE for overflow (±Inf) and for underflow
		// (it then returns ±0); jansson's jsonp_strtod only refuses
		// overflow.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && f == 0 {
			return &value{kind: Real, str: text, f: f}, nil
		}
		p.pos = start
		return nil, p.err("real number overflow")
	}
	return &value{kind: Real, str: text, f: f}, nil
}

// str parses a JSON string starting at the opening quote.
func (p *parser) str() (string, error) {
	p.pos++ // opening quote
	var b []byte
	start := p.pos
	for {
		if p.pos >= len(p.s) {
			return "", p.err("premature end of input")
		}
		c := p.s[p.pos]
		switch {
		case c == '"':
			if b == nil {
				s := string(p.s[start:p.pos])
				p.pos++
				return s, nil
			}
			b = append(b, p.s[start:p.pos]...)
			p.pos++
			return string(b), nil
		case c < 0x20:
			if c == '\n' {
				return "", p.err("unexpected newline")
			}
			return "", p.err(fmt.Sprintf("control character 0x%x", c))
		case c == '\\':
			b = append(b, p.s[start:p.pos]...)
			p.pos++
			if p.pos >= len(p.s) {
				return "", p.err("premature end of input")
			}
			e := p.s[p.pos]
			p.pos++
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.err("invalid escape")
				}
				switch {
				case r >= 0xD800 && r <= 0xDBFF:
					if p.pos+1 < len(p.s) && p.s[p.pos] == '\\' && p.s[p.pos+1] == 'u' {
						p.pos += 2
						r2, ok := p.hex4()
						if !ok {
							return "", p.err("invalid escape")
						}
						if r2 < 0xDC00 || r2 > 0xDFFF {
							return "", p.err(fmt.Sprintf("invalid Unicode '\\u%04X\\u%04X'", r, r2))
						}
						r = utf16.DecodeRune(r, r2)
					} else {
						return "", p.err(fmt.Sprintf("invalid Unicode '\\u%04X'", r))
					}
				case r >= 0xDC00 && r <= 0xDFFF:
					return "", p.err(fmt.Sprintf("invalid Unicode '\\u%04X'", r))
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", p.err("invalid escape")
			}
			start = p.pos
		case c < utf8.RuneSelf:
			p.pos++
		default:
			r, n := utf8.DecodeRune(p.s[p.pos:])
			if r == utf8.RuneError && n <= 1 {
				return "", p.err(fmt.Sprintf("unable to decode byte 0x%x", c))
			}
			p.pos += n
		}
	}
}

func (p *parser) hex4() (rune, bool) {
	if p.pos+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for _, c := range p.s[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}

// Names returns the claim names in their order.
func (c Claims) Names() []string {
	if c.obj == nil {
		return nil
	}
	return append([]string(nil), c.obj.keys...)
}

// Len returns the number of claims.
func (c Claims) Len() int {
	if c.obj == nil {
		return 0
	}
	return len(c.obj.keys)
}

// Get returns the value of a top-level claim as compact JSON (numbers as
// their source text, key order preserved).
func (c Claims) Get(name string) (json.RawMessage, bool) {
	v, ok := c.obj.get(name)
	if !ok {
		return nil, false
	}
	return json.RawMessage(appendJSON(nil, v, dumpSource)), true
}

// Kind returns the JSON kind of a top-level claim.
func (c Claims) Kind(name string) (Kind, bool) {
	v, ok := c.obj.get(name)
	if !ok {
		return Null, false
	}
	return v.kind, true
}

// String returns the value of a top-level claim when it is a JSON string.
func (c Claims) String(name string) (string, bool) {
	v, ok := c.obj.get(name)
	if !ok || v.kind != String {
		return "", false
	}
	return v.str, true
}

// JSON returns the object as compact JSON: key order preserved, numbers as
// their source text, strings escaped as jansson escapes them (only '"', '\\'
// and control characters; non-ASCII and '/' written as is).
func (c Claims) JSON() []byte {
	return appendJSON(nil, &value{kind: Object, obj: c.object()}, dumpSource)
}

// JSONSpaced returns the object as jansson's json_dumps(obj, 0) writes it,
// which is what 2.4.12.3 passes for an object-valued claim: ", " and ": "
// separators, key order preserved, reals printed with "%.17g" (plus ".0"
// when that looks like an integer), integers in decimal.
func (c Claims) JSONSpaced() []byte {
	return appendJSON(nil, &value{kind: Object, obj: c.object()}, dumpJansson)
}

func (c Claims) object() *object {
	if c.obj == nil {
		return newObject(0)
	}
	return c.obj
}

// Merge returns base overlaid with over, as 2.4.12.3's oidc_util_json_merge
// (json_object_set of each key of over into base): keys of base keep their
// order and take over's value when over has them; keys only in over are
// appended in over's order. 2.4.12.3 uses it with base = userinfo claims and
// over = id_token claims, for Require claim and for OIDCRemoteUserClaim.
func Merge(base, over Claims) Claims {
	o := newObject(base.Len() + over.Len())
	if base.obj != nil {
		for i, k := range base.obj.keys {
			o.set(k, base.obj.vals[i])
		}
	}
	if over.obj != nil {
		for i, k := range over.obj.keys {
			o.set(k, over.obj.vals[i])
		}
	}
	return Claims{obj: o}
}

type dumpMode uint8

const (
	dumpSource  dumpMode = iota // compact, numbers as source text
	dumpJansson                 // json_dumps(v, 0)
)

func appendJSON(b []byte, v *value, mode dumpMode) []byte {
	switch v.kind {
	case Null:
		return append(b, "null"...)
	case True:
		return append(b, "true"...)
	case False:
		return append(b, "false"...)
	case String:
		return appendQuoted(b, v.str)
	case Integer:
		if mode == dumpJansson {
			return strconv.AppendInt(b, v.i, 10)
		}
		return append(b, v.str...)
	case Real:
		if mode == dumpJansson {
			return append(b, janssonReal(v.f)...)
		}
		return append(b, v.str...)
	case Array:
		b = append(b, '[')
		for i, e := range v.arr {
			if i > 0 {
				b = append(b, ',')
				if mode == dumpJansson {
					b = append(b, ' ')
				}
			}
			b = appendJSON(b, e, mode)
		}
		return append(b, ']')
	default: // Object
		b = append(b, '{')
		for i, k := range v.obj.keys {
			if i > 0 {
				b = append(b, ',')
				if mode == dumpJansson {
					b = append(b, ' ')
				}
			}
			b = appendQuoted(b, k)
			b = append(b, ':')
			if mode == dumpJansson {
				b = append(b, ' ')
			}
			b = appendJSON(b, v.obj.vals[i], mode)
		}
		return append(b, '}')
	}
}

// appendQuoted escapes as jansson's dump_string without flags.
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '"':
			b = append(b, '\\', '"')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// janssonReal formats a real as jansson 2.14's jsonp_dtostr with the
// default precision: "%.17g", ".0" appended when the result has neither '.'
// nor 'e', and the exponent stripped of its '+' sign and leading zeros.
func janssonReal(f float64) string {
	s := cFormatG(f, 17)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant, exp := s[:i+1], s[i+1:]
		sign := ""
		if exp[0] == '+' || exp[0] == '-' {
			if exp[0] == '-' {
				sign = "-"
			}
			exp = exp[1:]
		}
		exp = strings.TrimLeft(exp, "0")
		if exp == "" {
			exp = "0"
		}
		s = mant + sign + exp
	}
	return s
}

// cFormatG is C's printf("%.*g", prec, f) for finite f.
func cFormatG(f float64, prec int) string {
	if prec == 0 {
		prec = 1
	}
	// %e with prec-1 digits tells the decimal exponent after rounding.
	e := strconv.FormatFloat(f, 'e', prec-1, 64)
	i := strings.LastIndexByte(e, 'e')
	x, _ := strconv.Atoi(e[i+1:])
	var s string
	if x < -4 || x >= prec {
		mant := e[:i]
		if strings.IndexByte(mant, '.') >= 0 {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		exp := e[i+1:] // sign and at least two digits, as C
		sign := exp[0]
		digits := exp[1:]
		if len(digits) < 2 {
			digits = "0" + digits
		}
		s = mant + "e" + string(sign) + digits
	} else {
		s = strconv.FormatFloat(f, 'f', prec-1-x, 64)
		if strings.IndexByte(s, '.') >= 0 {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
	}
	return s
}
