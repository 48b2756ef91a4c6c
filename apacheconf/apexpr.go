package apacheconf

import "strings"

// checkExprSyntax is a conservative check of an ap_expr (<If>, Require
// expr): it finds only the clearly broken forms — an unterminated string
// or %{…}, an unbalanced '(', an operator with nothing after it — and
// returns the tail of Apache's parser message for them, or "" (accepted)
// for everything else. Full ap_expr evaluation comes with serving.
func checkExprSyntax(expr string) string {
	depth := 0
	lastOp := false // the last token needs an operand after it
	sawToken := false
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t':
			i++
			continue
		case c == '\'' || c == '"':
			end := strings.IndexByte(expr[i+1:], c)
			if end < 0 {
				return "Unterminated string or variable"
			}
			i += end + 2
			lastOp = false
		case c == '%' && i+1 < len(expr) && expr[i+1] == '{':
			end := strings.IndexByte(expr[i:], '}')
			if end < 0 {
				return "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"
			}
			i += end + 1
			lastOp = false
		case c == '(':
			depth++
			i++
			lastOp = true
		case c == ')':
			depth--
			i++
			lastOp = false
		case strings.HasPrefix(expr[i:], "&&") || strings.HasPrefix(expr[i:], "||") ||
			strings.HasPrefix(expr[i:], "==") || strings.HasPrefix(expr[i:], "!=") ||
			strings.HasPrefix(expr[i:], "=~") || strings.HasPrefix(expr[i:], "!~") ||
			strings.HasPrefix(expr[i:], "<=") || strings.HasPrefix(expr[i:], ">="):
			i += 2
			lastOp = true
		case c == '<' || c == '>' || c == '!':
			i++
			lastOp = true
		default:
			j := i
			for j < len(expr) && !strings.ContainsRune(" \t()'\"", rune(expr[j])) {
				if expr[j] == '%' && j+1 < len(expr) && expr[j+1] == '{' {
					break
				}
				j++
			}
			if j == i {
				j++
			}
			word := expr[i:j]
			i = j
			// Unary tests (-z, -n, -f, -ipmatch …) and word operators
			// need an operand after them.
			lastOp = strings.HasPrefix(word, "-") && len(word) > 1 ||
				contains([]string{"eq", "ne", "lt", "le", "gt", "ge", "in"}, word)
		}
		sawToken = true
	}
	switch {
	case depth > 0:
		return "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"
	case lastOp || !sawToken:
		return "syntax error, unexpected $end"
	}
	return ""
}
