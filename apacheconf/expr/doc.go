// Package expr implements Apache httpd 2.4's expression language (ap_expr,
// server/util_expr_*.c): the conditions of <If>/<ElseIf>, Require expr,
// OIDCUnAuthAction and Header ... expr=, and the string expressions of
// Header expr= values and mod_auth_openidc's Require claim lines.
//
// An expression is parsed once at configuration time with [Parse] and
// evaluated per request with [Expr.Bool] or [Expr.String] against a [Vars]
// that supplies what the request has. The package knows nothing of
// net/http; it holds no global mutable state, so one parsed [Expr] may be
// evaluated concurrently.
//
// The lexer follows Apache's flex scanner token for token (longest match,
// the same string, variable and regex states, the same escape rules) and
// the parser accepts exactly Apache's grammar, with Apache's operator
// precedence (|| below && below ! below the '.' concatenation). Parse
// errors carry Apache's message wording: the bison "syntax error,
// unexpected X" messages, the lexer's ("Unterminated string or variable",
// "Bad escape sequence", "Parse error near 'c'") and the lookup ones
// ("Variable 'X' does not exist", "Function 'f' does not exist").
//
// Evaluation follows util_expr_eval.c: integers compared as strtoll reads
// them, strings byte-wise, back-references $0..$9 from the last successful
// match of a regex that has capture groups, Apache's recursion limit of 20
// nested levels ("Recursion limit reached"), and regexes with Apache's
// default options DOTALL and DOLLAR_ENDONLY. [Expr.BoolVary] also returns
// the request headers read, for Vary; [Expr.UsesRemoteUser] tells whether
// a Require expr must wait for authentication.
//
// Deliberately refused, because oidcgate has no document root or
// sub-requests: the file tests -d -e -f -s -L -h -x, the sub-request tests
// -F -U -A, and the functions file, filesize and ldap. Their error says so.
// Regular expressions are Go's RE2: PCRE-only constructs (back-references
// inside the pattern, look-around) are refused at parse time with Apache's
// "Failed to compile regular expression".
package expr
