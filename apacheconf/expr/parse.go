package expr

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Mode says which of Apache's two expression grammars a source is in.
type Mode int

const (
	// Boolean is a condition: <If>, <ElseIf>, Require expr,
	// OIDCUnAuthAction's expression, Header ... expr=<condition>.
	Boolean Mode = iota
	// String is a string expression (AP_EXPR_FLAG_STRING_RESULT): literal
	// text with backslash escapes, %{VAR}, %{func:arg} and $N, as in a
	// Header expr=<value> or a mod_auth_openidc Require claim line.
	String
)

func (m Mode) String() string {
	if m == String {
		return "string"
	}
	return "boolean"
}

// Error is a parse error. Msg is worded as Apache's expression parser
// words it; Apache prefixes it with the directive's position.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// Expr is a parsed expression, immutable and safe for concurrent use.
type Expr struct {
	src        string
	mode       Mode
	root       *node
	remoteUser bool
}

// Source returns the expression as written.
func (e *Expr) Source() string { return e.src }

// UsesRemoteUser reports whether the expression names %{REMOTE_USER}.
// mod_authz_core's Require expr then answers "denied, no user" while the
// request is unauthenticated, which makes Apache authenticate first and
// evaluate again with the user.
func (e *Expr) UsesRemoteUser() bool { return e.remoteUser }

// Mode returns the grammar the expression was parsed with.
func (e *Expr) Mode() Mode { return e.mode }

// op is the kind of a node.
type op int

const (
	opTrue op = iota
	opFalse
	opNot
	opOr
	opAnd
	opComp   // a: comparison node
	opUnary  // name, a: argument
	opBinary // name, a, b
	// comparisons
	opEQ
	opNE
	opLT
	opLE
	opGT
	opGE
	opStrEQ
	opStrNE
	opStrLT
	opStrLE
	opStrGT
	opStrGE
	opIn  // a: needle, list: haystack
	opReg // a: word, re
	opNRE
	// words
	opString // s
	opDigit  // s
	opVar    // name: canonical variable name
	opConcat // a, b
	opFunc   // name: function, a: argument
	opBackref
)

// node is one node of the parse tree.
type node struct {
	op     op
	s      string // literal, variable, function or operator name
	n      int    // back-reference digit
	a, b   *node
	list   []*node
	re     *regexp.Regexp
	nsub   int     // capture groups of re
	subnet *subnet // -R / -ipmatch
}

// maxDepth bounds the nesting the parser accepts, so that hostile input
// cannot exhaust the stack; Apache's evaluator gives up at 20 levels.
const maxDepth = 200

type parser struct {
	lx      *lexer
	mode    Mode
	tok     token
	depth   int
	lookErr string // the last lookup failure (Apache's error2)
	// remoteUser is set when %{REMOTE_USER} is looked up.
	remoteUser bool
}

// syntaxError is a bison-style syntax error, unwound with panic inside
// the parser and turned into an *Error by Parse.
type syntaxError struct{ msg string }

// Parse parses src in the given mode, as Apache does at configuration
// time. The error, if any, is an *Error with Apache's message.
func Parse(src string, mode Mode) (*Expr, error) {
	p := &parser{lx: newLexer(src, mode), mode: mode}
	root, msg := p.run()
	if msg != "" {
		return nil, &Error{Msg: msg}
	}
	return &Expr{src: src, mode: mode, root: root, remoteUser: p.remoteUser}, nil
}

// run parses and returns the tree or Apache's error message.
func (p *parser) run() (root *node, msg string) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			root, msg = nil, se.msg
		}
	}()
	p.advance()
	if p.mode == String {
		root = p.string(tEOF)
	} else {
		root = p.expr()
	}
	if p.tok.kind != tEOF {
		p.unexpected(tEOF)
	}
	if p.lookErr != "" {
		return nil, p.lookErr
	}
	return root, ""
}

func (p *parser) advance() { p.tok = p.lx.next() }

// abort ends the parse the way Apache's YYABORT on a T_ERROR does: with
// the scanner's message alone.
func (p *parser) abort() {
	panic(syntaxError{p.tok.text})
}

// unexpected ends the parse with a bison-style message. Bison lists the
// expected tokens only when there are at most four of them.
func (p *parser) unexpected(expected ...tok) {
	var b strings.Builder
	b.WriteString("syntax error, unexpected ")
	b.WriteString(p.tok.kind.String())
	slices.Sort(expected) // bison lists them in declaration order
	if len(expected) > 0 && len(expected) <= 4 {
		for i, e := range expected {
			if i == 0 {
				b.WriteString(", expecting ")
			} else {
				b.WriteString(" or ")
			}
			b.WriteString(e.String())
		}
	}
	msg := b.String()
	if p.tok.kind == tError {
		msg += ": " + p.tok.text
	} else if p.lookErr != "" {
		msg += ": " + p.lookErr
	}
	panic(syntaxError{msg})
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		panic(syntaxError{"Expression nested too deeply"})
	}
}

func (p *parser) leave() { p.depth-- }

// expr: or-expression; || and && are right-associative, ! binds tighter.
func (p *parser) expr() *node {
	p.enter()
	defer p.leave()
	left := p.andExpr()
	if p.tok.kind == tOpOr {
		p.advance()
		return &node{op: opOr, a: left, b: p.expr()}
	}
	return left
}

func (p *parser) andExpr() *node {
	p.enter()
	defer p.leave()
	left := p.notExpr()
	if p.tok.kind == tOpAnd {
		p.advance()
		return &node{op: opAnd, a: left, b: p.andExpr()}
	}
	return left
}

func (p *parser) notExpr() *node {
	p.enter()
	defer p.leave()
	if p.tok.kind == tOpNot {
		p.advance()
		return &node{op: opNot, a: p.notExpr()}
	}
	return p.primary()
}

var compOps = map[tok]op{
	tOpEQ: opEQ, tOpNE: opNE, tOpLT: opLT, tOpLE: opLE, tOpGT: opGT, tOpGE: opGE,
	tOpStrEQ: opStrEQ, tOpStrNE: opStrNE, tOpStrLT: opStrLT, tOpStrLE: opStrLE,
	tOpStrGT: opStrGT, tOpStrGE: opStrGE,
}

func isComp(t tok) bool {
	_, ok := compOps[t]
	return ok
}

// isWordStart reports whether t can begin a word.
func isWordStart(t tok) bool {
	switch t {
	case tDigit, tVarBegin, tBackref, tID, tStrBegin:
		return true
	}
	return false
}

func (p *parser) primary() *node {
	switch p.tok.kind {
	case tTrue:
		p.advance()
		return &node{op: opTrue}
	case tFalse:
		p.advance()
		return &node{op: opFalse}
	case tError:
		p.abort()
	case tLParen:
		p.advance()
		e := p.expr()
		if p.tok.kind != tRParen {
			p.unexpected(tOpOr, tOpAnd, tRParen)
		}
		p.advance()
		return e
	case tOpUnary:
		name := p.tok.text
		p.advance()
		arg := p.word()
		return p.unaryOp(name, arg)
	}
	if !isWordStart(p.tok.kind) {
		p.unexpected()
	}
	left := p.word()
	t := p.tok
	switch {
	case t.kind == tOpBinary:
		p.advance()
		right := p.word()
		return p.binaryOp(t.text, left, right)
	case isComp(t.kind):
		p.advance()
		right := p.word()
		return &node{op: opComp, a: &node{op: compOps[t.kind], a: left, b: right}}
	case t.kind == tOpIn:
		p.advance()
		return &node{op: opComp, a: p.inList(left)}
	case t.kind == tOpReg || t.kind == tOpNRE:
		p.advance()
		o := opReg
		if t.kind == tOpNRE {
			o = opNRE
		}
		n := &node{op: o, a: left}
		p.regex(n)
		return &node{op: opComp, a: n}
	}
	p.unexpected()
	return nil
}

// inList parses the haystack of an 'in'.
func (p *parser) inList(needle *node) *node {
	n := &node{op: opIn, a: needle}
	switch p.tok.kind {
	case tLBrace:
		p.advance()
		for {
			n.list = append(n.list, p.word())
			if p.tok.kind == tComma {
				p.advance()
				continue
			}
			if p.tok.kind != tRBrace {
				p.unexpected(tRBrace, tComma)
			}
			p.advance()
			return n
		}
	case tID:
		// A list-returning function: core Apache has none (mod_ssl's
		// PeerExtList is not supported).
		name := p.tok.text
		p.advance()
		if p.tok.kind != tLParen {
			p.unexpected(tLParen)
		}
		p.advance()
		p.word()
		if p.tok.kind != tRParen {
			p.unexpected(tOpConcat, tRParen)
		}
		p.advance()
		p.lookErr = fmt.Sprintf("List-returning function '%s' does not exist", name)
		return n
	}
	p.unexpected(tID, tLBrace)
	return nil
}

func (p *parser) regex(n *node) {
	t := p.tok
	if t.kind == tError {
		p.unexpected(tRegex, tRegexI)
	}
	if t.kind != tRegex && t.kind != tRegexI {
		p.unexpected(tRegex, tRegexI)
	}
	p.advance()
	re, err := compileRegex(t.text, t.kind == tRegexI)
	if err != nil {
		msg := "Failed to compile regular expression"
		if p.lookErr != "" {
			msg += ": " + p.lookErr
		}
		panic(syntaxError{msg})
	}
	n.re = re
	n.nsub = re.NumSubexp()
}

// word: a word, with '.' concatenation (right-associative).
func (p *parser) word() *node {
	p.enter()
	defer p.leave()
	var w *node
	switch p.tok.kind {
	case tDigit:
		w = &node{op: opDigit, s: p.tok.text}
		p.advance()
	case tVarBegin:
		w = p.variable()
	case tBackref:
		w = &node{op: opBackref, n: p.tok.n}
		p.advance()
	case tID:
		name := p.tok.text
		p.advance()
		if p.tok.kind != tLParen {
			p.unexpected(tLParen)
		}
		p.advance()
		arg := p.word()
		if p.tok.kind != tRParen {
			p.unexpected(tOpConcat, tRParen)
		}
		p.advance()
		w = p.function(name, arg)
	case tStrBegin:
		p.advance()
		if p.tok.kind == tStrEnd {
			p.advance()
			w = &node{op: opString}
			break
		}
		w = p.string(tStrEnd)
		p.advance()
	case tError:
		p.unexpected()
	default:
		p.unexpected()
	}
	if p.tok.kind == tOpConcat {
		p.advance()
		return &node{op: opConcat, a: w, b: p.word()}
	}
	return w
}

// string: the parts of a quoted string, a string expression or a
// %{func:arg} argument, up to the token end (not consumed).
func (p *parser) string(end tok) *node {
	if p.tok.kind == tError {
		p.abort()
	}
	var s *node
	for {
		var part *node
		switch p.tok.kind {
		case tString:
			part = &node{op: opString, s: p.tok.text}
			p.advance()
		case tVarBegin:
			part = p.variable()
		case tBackref:
			part = &node{op: opBackref, n: p.tok.n}
			p.advance()
		default:
			if s == nil {
				p.unexpected(tError, tString, tBackref, tVarBegin)
			}
			switch {
			case end == tEOF && p.tok.kind != tEOF:
				p.unexpected(tEOF)
			case p.tok.kind != end:
				p.unexpected(end, tString, tBackref, tVarBegin)
			}
			return s
		}
		if s == nil {
			s = part
		} else {
			s = &node{op: opConcat, a: s, b: part}
		}
	}
}

// variable: %{NAME} or %{func:arg}.
func (p *parser) variable() *node {
	p.enter()
	defer p.leave()
	p.advance() // T_VAR_BEGIN
	if p.tok.kind != tID {
		p.unexpected(tID)
	}
	name := p.tok.text
	p.advance()
	switch p.tok.kind {
	case tVarEnd:
		p.advance()
		return p.varNode(name)
	case tColon:
		p.advance()
		arg := p.string(tVarEnd)
		p.advance()
		return p.function(name, arg)
	}
	p.unexpected(tVarEnd, tColon)
	return nil
}
