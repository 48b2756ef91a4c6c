package apacheconf

import "testing"

func TestExprSyntax(t *testing.T) {
	for expr, want := range map[string]string{
		"true":                     "",
		"%{REQUEST_URI} =~ m#^/a#": "",
		"-n %{HTTP:X} && %{REMOTE_ADDR} -ipmatch '10.0.0.0/8'": "",
		"%{HTTP_HOST} == 'x' || !(%{HTTPS} == 'on')":           "",
		"%{HTTP_HOST} ==": "syntax error, unexpected $end",
		"true && ":        "syntax error, unexpected $end",
		"-z":              "syntax error, unexpected $end",
		"(true":           "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'",
		"%{HTTP_HOST":     "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable",
		"'abc":            "Unterminated string or variable",
	} {
		if got := checkExprSyntax(expr); got != want {
			t.Errorf("%q: %q, want %q", expr, got, want)
		}
	}
}

func FuzzExprSyntax(f *testing.F) {
	for _, s := range []string{"true", "%{X} == 'a'", "(", "-z", "'", "%{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { _ = checkExprSyntax(s) })
}
