package expr

import (
	"errors"
	"strings"
)

// Vars supplies what a request has to an evaluation. Missing values are
// "" (Apache turns a NULL into an empty string) unless a method says
// otherwise. Implementations must be safe to call from the goroutine
// that evaluates; they are never retained.
type Vars interface {
	// Var returns a request, connection or server variable by its
	// upper-case Apache name: REQUEST_METHOD, REQUEST_URI (the path,
	// without the query), QUERY_STRING, REQUEST_SCHEME, HTTPS ("on" or
	// "off"), REMOTE_ADDR, REMOTE_USER, AUTH_TYPE, SERVER_NAME,
	// SERVER_PORT, SERVER_PROTOCOL, THE_REQUEST, TIME_* and the rest of
	// the names Apache's core defines. %{HTTP_HOST} and the other
	// HTTP_* variables are read with Header instead.
	Var(name string) string
	// Header returns the first value of a request header (name matched
	// without regard to case): %{HTTP:Name}, req('Name'), http('Name').
	Header(name string) string
	// ResponseHeader returns a response header: resp('Name').
	ResponseHeader(name string) string
	// Env returns a request environment variable (SetEnv, SetEnvIf,
	// OIDC_CLAIM_*, ...): reqenv('X'), and %{env:X} after notes.
	Env(name string) (string, bool)
	// Note returns a request note: note('x').
	Note(name string) (string, bool)
	// OSEnv returns a variable of the server process environment:
	// osenv('X'), and %{env:X} when neither a note nor the request
	// environment has it.
	OSEnv(name string) (string, bool)
}

// maxRecursion is Apache's AP_EXPR_MAX_RECURSION.
const maxRecursion = 20

// errRecursion is Apache's evaluation error for deeply nested expressions.
var errRecursion = errors.New("Recursion limit reached")

// ErrMode is returned by Bool on a string expression and by String on a
// boolean one.
var ErrMode = errors.New("expression evaluated in the wrong mode")

// evalCtx is the state of one evaluation: the request and the captures of
// the last successful regex match that had capture groups.
type evalCtx struct {
	v      Vars
	src    string
	groups []int // submatch byte offsets in src; nil: no match
	depth  int
	err    error
	// vary lists the request headers read, when trackVary is set.
	vary      []string
	trackVary bool
}

func (c *evalCtx) inc() bool {
	if c.depth < maxRecursion {
		c.depth++
		return true
	}
	if c.err == nil {
		c.err = errRecursion
	}
	return false
}

// Bool evaluates a boolean expression for the request v.
func (e *Expr) Bool(v Vars) (bool, error) {
	if e.mode != Boolean {
		return false, ErrMode
	}
	c := &evalCtx{v: v}
	r := c.eval(e.root)
	if c.err != nil {
		return false, c.err
	}
	return r, nil
}

// BoolVary is Bool that also returns the request headers the evaluation
// read, in order and with repeats, as Apache collects them for the Vary
// response header (every header read through %{HTTP_*}, %{HTTP:X},
// req() or http(), except Host; req_novary() is not counted). Apache
// merges them into Vary when a condition is evaluated while the response
// headers are still being built (Header ... expr=), not for <If>.
func (e *Expr) BoolVary(v Vars) (bool, []string, error) {
	if e.mode != Boolean {
		return false, nil, ErrMode
	}
	c := &evalCtx{v: v, trackVary: true}
	r := c.eval(e.root)
	if c.err != nil {
		return false, nil, c.err
	}
	return r, c.vary, nil
}

// String evaluates a string expression for the request v. A string
// expression has no regex, so $N back-references are empty.
func (e *Expr) String(v Vars) (string, error) {
	if e.mode != String {
		return "", ErrMode
	}
	c := &evalCtx{v: v}
	s := c.word(e.root)
	if c.err != nil {
		return "", c.err
	}
	return s, nil
}

// eval evaluates a condition; chains of && and || along their right
// spine are walked without recursion, as Apache does, so that the
// recursion limit counts the same levels.
func (c *evalCtx) eval(n *node) bool {
	if !c.inc() {
		return false
	}
	defer func() { c.depth-- }()
	result := false
	for {
		switch n.op {
		case opTrue:
			return !result
		case opFalse:
			return result
		case opNot:
			result = !result
			n = n.a
		case opOr, opAnd:
			o := n.op
			for n.op == o {
				if c.eval(n.a) == (o == opOr) {
					return result != (o == opOr)
				}
				n = n.b
			}
		case opUnary:
			return result != c.unary(n)
		case opBinary:
			return result != c.binary(n)
		case opComp:
			return result != c.comp(n.a)
		default:
			return result
		}
	}
}

func (c *evalCtx) comp(n *node) bool {
	switch n.op {
	case opEQ, opNE, opLT, opLE, opGT, opGE:
		a, b := atoi64(c.word(n.a)), atoi64(c.word(n.b))
		switch n.op {
		case opEQ:
			return a == b
		case opNE:
			return a != b
		case opLT:
			return a < b
		case opLE:
			return a <= b
		case opGT:
			return a > b
		}
		return a >= b
	case opStrEQ, opStrNE, opStrLT, opStrLE, opStrGT, opStrGE:
		r := strings.Compare(c.word(n.a), c.word(n.b))
		switch n.op {
		case opStrEQ:
			return r == 0
		case opStrNE:
			return r != 0
		case opStrLT:
			return r < 0
		case opStrLE:
			return r <= 0
		case opStrGT:
			return r > 0
		}
		return r >= 0
	case opIn:
		needle := c.word(n.a)
		for _, w := range n.list {
			if c.word(w) == needle {
				return true
			}
		}
		return false
	case opReg, opNRE:
		s := c.word(n.a)
		var ok bool
		if n.nsub > 0 {
			// Only a regex with capture groups replaces $0..$9.
			m := n.re.FindStringSubmatchIndex(s)
			ok = m != nil
			if ok {
				c.src, c.groups = s, m
			} else {
				c.src, c.groups = "", nil
			}
		} else {
			ok = n.re.MatchString(s)
		}
		return ok == (n.op == opReg)
	}
	return false
}

func (c *evalCtx) unary(n *node) bool {
	arg := c.word(n.a)
	switch n.s {
	case "n":
		return arg != ""
	case "z":
		return arg == ""
	case "T":
		return truthy(arg)
	case "R":
		return n.subnet.contains(c.v.Var("REMOTE_ADDR"))
	}
	return false
}

func (c *evalCtx) binary(n *node) bool {
	a, b := c.word(n.a), c.word(n.b)
	switch n.s {
	case "ipmatch":
		return n.subnet.contains(a)
	case "fnmatch":
		return fnmatch(b, a, true, false)
	case "strmatch":
		return fnmatch(b, a, false, false)
	case "strcmatch":
		return fnmatch(b, a, false, true)
	}
	return false
}

// truthy is -T: false for "", "0", "off", "no" and "false" (any case).
func truthy(s string) bool {
	switch strings.ToLower(s) {
	case "", "0", "off", "no", "false":
		return false
	}
	return true
}

// atoi64 converts as apr_atoi64 (strtoll in base 10) does: leading
// white space, a sign, the digits up to the first non-digit, saturating
// on overflow; 0 when there are no digits.
func atoi64(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var v uint64
	over := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v > (1<<63)/10 {
			over = true
			continue
		}
		v = v*10 + uint64(s[i]-'0')
		if v > 1<<63 {
			over = true
		}
	}
	switch {
	case over && neg:
		return -1 << 63
	case over:
		return 1<<63 - 1
	case neg:
		if v == 1<<63 {
			return -1 << 63
		}
		return -int64(v)
	case v == 1<<63:
		return 1<<63 - 1
	}
	return int64(v)
}

// word evaluates a word. Chains of concatenations are flattened as
// Apache does, which matters only for the recursion limit.
func (c *evalCtx) word(n *node) string {
	if !c.inc() {
		return ""
	}
	defer func() { c.depth-- }()
	switch n.op {
	case opString, opDigit:
		return n.s
	case opVar:
		return c.v.Var(n.s)
	case opConcat:
		var parts []*node
		switch {
		case n.a.op != opConcat && n.b.op != opConcat:
			parts = []*node{n.a, n.b}
		case n.a.op == opConcat:
			for m := n; m.op == opConcat; m = m.a {
				parts = append(parts, m.b)
				if m.a.op != opConcat {
					parts = append(parts, m.a)
				}
			}
			for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
				parts[i], parts[j] = parts[j], parts[i]
			}
		default:
			m := n
			for ; m.op == opConcat; m = m.b {
				parts = append(parts, m.a)
			}
			parts = append(parts, m)
		}
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(c.word(p))
		}
		return b.String()
	case opFunc:
		return c.call(n.s, c.word(n.a))
	case opBackref:
		k := n.n
		if c.groups == nil || c.src == "" || 2*k+1 >= len(c.groups) || c.groups[2*k] < 0 {
			return ""
		}
		return c.src[c.groups[2*k]:c.groups[2*k+1]]
	}
	return ""
}
