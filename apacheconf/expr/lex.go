package expr

import "strings"

// tok is a token kind; the names are those of Apache's grammar because
// they appear in its syntax error messages.
type tok int

const (
	tEOF tok = iota
	tTrue
	tFalse
	tError
	tDigit
	tID
	tString
	tRegex
	tRegexI
	tBackref
	tOpUnary
	tOpBinary
	tStrBegin
	tStrEnd
	tVarBegin
	tVarEnd
	tOpEQ
	tOpNE
	tOpLT
	tOpLE
	tOpGT
	tOpGE
	tOpReg
	tOpNRE
	tOpIn
	tOpStrEQ
	tOpStrNE
	tOpStrLT
	tOpStrLE
	tOpStrGT
	tOpStrGE
	tOpConcat
	tOpOr
	tOpAnd
	tOpNot
	tLParen
	tRParen
	tLBrace
	tRBrace
	tComma
	tColon
)

var tokNames = [...]string{
	tEOF: "$end", tTrue: "T_TRUE", tFalse: "T_FALSE", tError: "T_ERROR",
	tDigit: "T_DIGIT", tID: "T_ID", tString: "T_STRING", tRegex: "T_REGEX",
	tRegexI: "T_REGEX_I", tBackref: "T_REGEX_BACKREF", tOpUnary: "T_OP_UNARY",
	tOpBinary: "T_OP_BINARY", tStrBegin: "T_STR_BEGIN", tStrEnd: "T_STR_END",
	tVarBegin: "T_VAR_BEGIN", tVarEnd: "T_VAR_END", tOpEQ: "T_OP_EQ",
	tOpNE: "T_OP_NE", tOpLT: "T_OP_LT", tOpLE: "T_OP_LE", tOpGT: "T_OP_GT",
	tOpGE: "T_OP_GE", tOpReg: "T_OP_REG", tOpNRE: "T_OP_NRE", tOpIn: "T_OP_IN",
	tOpStrEQ: "T_OP_STR_EQ", tOpStrNE: "T_OP_STR_NE", tOpStrLT: "T_OP_STR_LT",
	tOpStrLE: "T_OP_STR_LE", tOpStrGT: "T_OP_STR_GT", tOpStrGE: "T_OP_STR_GE",
	tOpConcat: "T_OP_CONCAT", tOpOr: "T_OP_OR", tOpAnd: "T_OP_AND",
	tOpNot: "T_OP_NOT", tLParen: "'('", tRParen: "')'", tLBrace: "'{'",
	tRBrace: "'}'", tComma: "','", tColon: "':'",
}

func (t tok) String() string { return tokNames[t] }

// token is one scanned token. text is the value of strings, identifiers,
// digits, regexes and operator names, or the message of a tError; n is
// the digit of a back-reference.
type token struct {
	kind tok
	text string
	n    int
}

// maxStringLen is Apache's MAX_STRING_LEN, the size of the scanner's
// string and regex buffers.
const maxStringLen = 8192

// lexer states, as in util_expr_scan.l.
type lexState int

const (
	stInitial lexState = iota
	stStr
	stVar
	stVararg
	stRegexFlags
)

// lexer is Apache's expression scanner.
type lexer struct {
	src   string
	pos   int
	state lexState
	stack []lexState // yy_push_state
	del   byte       // the string delimiter; 0 in string mode
	buf   strings.Builder
	regex string // the regex read, waiting for its flags
}

func newLexer(src string, mode Mode) *lexer {
	l := &lexer{src: src}
	if mode == String {
		l.state = stStr
	}
	return l
}

func (l *lexer) push(s lexState) {
	l.stack = append(l.stack, l.state)
	l.state = s
}

func (l *lexer) pop() {
	if n := len(l.stack); n > 0 {
		l.state = l.stack[n-1]
		l.stack = l.stack[:n-1]
		return
	}
	l.state = stInitial
}

func errTok(msg string) token { return token{kind: tError, text: msg} }

// flush returns the buffered string as a T_STRING; C strings end at the
// first NUL, so an escaped \0 cuts the string there.
func (l *lexer) flush() token {
	s := l.buf.String()
	l.buf.Reset()
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return token{kind: tString, text: s}
}

func (l *lexer) appendByte(c byte) bool {
	l.buf.WriteByte(c)
	return l.buf.Len() < maxStringLen
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdent(c byte) bool { return isAlpha(c) || isDigit(c) || c == '_' }

// identLen is the length of [a-zA-Z][a-zA-Z0-9_]* at i, or 0.
func (l *lexer) identLen(i int) int {
	if i >= len(l.src) || !isAlpha(l.src[i]) {
		return 0
	}
	j := i + 1
	for j < len(l.src) && isIdent(l.src[j]) {
		j++
	}
	return j - i
}

// next returns the next token.
func (l *lexer) next() token {
	switch l.state {
	case stStr, stVararg:
		return l.scanStr()
	case stVar:
		return l.scanVar()
	case stRegexFlags:
		l.state = stInitial
		if l.pos < len(l.src) && l.src[l.pos] == 'i' {
			l.pos++
			return token{kind: tRegexI, text: l.regex}
		}
		return token{kind: tRegex, text: l.regex}
	}
	return l.scanInitial()
}

// escape scans a backslash escape at l.pos (which holds the backslash) in
// a string or variable argument.
func (l *lexer) escape() (ok bool, t token) {
	s, i := l.src, l.pos
	if i+1 >= len(s) {
		// Apache's scanner has no rule for a lone trailing backslash
		// (flex jams); refuse it.
		return false, errTok("Unterminated string or variable")
	}
	c := s[i+1]
	if isDigit(c) {
		nd, no := 0, 0
		for i+1+nd < len(s) && isDigit(s[i+1+nd]) {
			nd++
		}
		for no < 3 && no < nd && s[i+1+no] <= '7' {
			no++
		}
		if nd > no {
			return false, errTok("Bad escape sequence")
		}
		v := 0
		for _, d := range s[i+1 : i+1+no] {
			v = v*8 + int(d-'0')
		}
		if v > 0xff {
			return false, errTok("Escape sequence out of bound")
		}
		l.pos += 1 + no
		if !l.appendByte(byte(v)) {
			return false, errTok("String too long")
		}
		return true, token{}
	}
	switch c {
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	}
	l.pos += 2
	if !l.appendByte(c) {
		return false, errTok("String too long")
	}
	return true, token{}
}

// scanStr scans in the str (quoted or string-mode) and vararg states.
func (l *lexer) scanStr() token {
	vararg := l.state == stVararg
	for {
		if l.pos >= len(l.src) {
			if vararg || l.del != 0 {
				return errTok("Unterminated string or variable")
			}
			// String mode: the rest is the last string part.
			t := l.flush()
			l.state = stInitial
			return t
		}
		c := l.src[l.pos]
		switch {
		case c == '\n':
			return errTok("Unterminated string or variable")
		case (c == '"' || c == '\'') && !vararg:
			if c != l.del {
				l.pos++
				if !l.appendByte(c) {
					return errTok("String too long")
				}
				continue
			}
			if l.buf.Len() > 0 {
				return l.flush()
			}
			l.pos++
			l.state = stInitial
			return token{kind: tStrEnd}
		case c == '"' || c == '\'':
			// No rule of Apache's scanner matches a quote inside
			// %{func:arg} (flex jams).
			return errTok("Parse error near '" + string(c) + "'")
		case c == '\\':
			if ok, t := l.escape(); !ok {
				return t
			}
		case c == '$' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
			if l.buf.Len() > 0 {
				return l.flush()
			}
			n := int(l.src[l.pos+1] - '0')
			l.pos += 2
			return token{kind: tBackref, n: n}
		case c == '%' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '{':
			if l.buf.Len() > 0 {
				return l.flush()
			}
			l.pos += 2
			l.push(stVar)
			return token{kind: tVarBegin}
		case c == '}' && vararg:
			if l.buf.Len() > 0 {
				return l.flush()
			}
			l.pos++
			l.pop()
			return token{kind: tVarEnd}
		default:
			l.pos++
			if !l.appendByte(c) {
				return errTok("String too long")
			}
		}
	}
}

// scanVar scans the name of a %{...}.
func (l *lexer) scanVar() token {
	if l.pos >= len(l.src) {
		return errTok("Unterminated string or variable")
	}
	c := l.src[l.pos]
	if n := l.identLen(l.pos); n > 0 {
		t := token{kind: tID, text: l.src[l.pos : l.pos+n]}
		l.pos += n
		return t
	}
	l.pos++
	switch c {
	case '}':
		l.pop()
		return token{kind: tVarEnd}
	case ':':
		l.state = stVararg
		return token{kind: tColon}
	case '\n':
		return errTok("Unterminated string or variable")
	}
	return errTok("Invalid character in variable name '" + string(c) + "'")
}

// regexDelims are the characters that may follow 'm' to open a regex.
const regexDelims = "/#$%^,;:_?|-!.'\""

// keywords are the words the scanner returns as operators rather than
// identifiers (when the identifier is not longer).
var keywords = map[string]tok{
	"and": tOpAnd, "or": tOpOr, "not": tOpNot,
	"lt": tOpLT, "le": tOpLE, "gt": tOpGT, "ge": tOpGE, "ne": tOpNE, "eq": tOpEQ, "in": tOpIn,
	"true": tTrue, "false": tFalse,
}

var dashOps = map[string]tok{
	"in": tOpIn, "eq": tOpEQ, "ne": tOpNE, "ge": tOpGE, "le": tOpLE, "gt": tOpGT, "lt": tOpLT,
}

func (l *lexer) scanInitial() token {
	s := l.src
	for l.pos < len(s) && (s[l.pos] == ' ' || s[l.pos] == '\t' || s[l.pos] == '\n') {
		l.pos++
	}
	if l.pos >= len(s) {
		return token{kind: tEOF}
	}
	i := l.pos
	c := s[i]
	rest := s[i:]
	switch {
	case c == '"' || c == '\'':
		l.pos++
		l.del = c
		l.buf.Reset()
		l.state = stStr
		return token{kind: tStrBegin}
	case strings.HasPrefix(rest, "%{"):
		l.pos += 2
		l.push(stVar)
		return token{kind: tVarBegin}
	case c == '$' && len(rest) > 1 && isDigit(rest[1]):
		l.pos += 2
		return token{kind: tBackref, n: int(rest[1] - '0')}
	case c == '/' || c == 'm' && len(rest) > 1 && strings.IndexByte(regexDelims, rest[1]) >= 0 && l.identLen(i) <= 2:
		del := byte('/')
		l.pos++
		if c == 'm' {
			del = rest[1]
			l.pos++
		}
		end := strings.IndexByte(s[l.pos:], del)
		if end < 0 {
			// Apache's scanner ends the input inside the regex.
			l.pos = len(s)
			return token{kind: tEOF}
		}
		if end >= maxStringLen {
			return errTok("Regexp too long")
		}
		l.regex = s[l.pos : l.pos+end]
		l.pos += end + 1
		l.state = stRegexFlags
		return l.next()
	}
	// Operators, keywords, digits and identifiers: longest match.
	two := ""
	if len(rest) >= 2 {
		two = rest[:2]
	}
	switch two {
	case "==":
		l.pos += 2
		return token{kind: tOpStrEQ}
	case "!=":
		l.pos += 2
		return token{kind: tOpStrNE}
	case "<=":
		l.pos += 2
		return token{kind: tOpStrLE}
	case ">=":
		l.pos += 2
		return token{kind: tOpStrGE}
	case "=~":
		l.pos += 2
		return token{kind: tOpReg}
	case "!~":
		l.pos += 2
		return token{kind: tOpNRE}
	case "&&":
		l.pos += 2
		return token{kind: tOpAnd}
	case "||":
		l.pos += 2
		return token{kind: tOpOr}
	}
	switch c {
	case '=':
		l.pos++
		return token{kind: tOpStrEQ}
	case '<':
		l.pos++
		return token{kind: tOpStrLT}
	case '>':
		l.pos++
		return token{kind: tOpStrGT}
	case '!':
		l.pos++
		return token{kind: tOpNot}
	case '.':
		l.pos++
		return token{kind: tOpConcat}
	case '(':
		l.pos++
		return token{kind: tLParen}
	case ')':
		l.pos++
		return token{kind: tRParen}
	case '{':
		l.pos++
		return token{kind: tLBrace}
	case '}':
		l.pos++
		return token{kind: tRBrace}
	case ',':
		l.pos++
		return token{kind: tComma}
	case ':':
		l.pos++
		return token{kind: tColon}
	}
	if c == '-' || isDigit(c) {
		j := i
		if c == '-' {
			j++
		}
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k > j {
			l.pos = k
			return token{kind: tDigit, text: s[i:k]}
		}
	}
	if c == '-' && len(rest) > 1 && (isAlpha(rest[1]) || rest[1] == '_') {
		j := i + 2
		for j < len(s) && isIdent(s[j]) {
			j++
		}
		name := s[i+1 : j]
		l.pos = j
		if len(name) == 1 {
			return token{kind: tOpUnary, text: name}
		}
		if k, ok := dashOps[name]; ok {
			return token{kind: k}
		}
		return token{kind: tOpBinary, text: name}
	}
	if n := l.identLen(i); n > 0 {
		word := s[i : i+n]
		l.pos += n
		if k, ok := keywords[word]; ok {
			return token{kind: k}
		}
		return token{kind: tID, text: word}
	}
	l.pos++
	return errTok("Parse error near '" + string(c) + "'")
}
