package apacheconf

import (
	"strings"
	"testing"
)

// Expressions are parsed once at start-up with Apache's parser; what
// Apache refuses is a config error with its message.
func TestExprParsedAtCompile(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
<If "%{QUERY_STRING} == 'a'">
  Header set X-A a
</If>
<ElseIf "-n %{HTTP:X-B}">
</ElseIf>
<Else>
</Else>
Header set X-M "expr=%{REQUEST_METHOD}"
Header set X-C c "Expr=%{HTTP:X-Foo} == 'a'"
RequestHeader edit X-E ^(.*)$ "expr=%{REMOTE_USER}"
<Location /q>
  Require expr "%{REMOTE_USER} == 'alice'"
</Location>
<Location /u>
  Require expr %{HTTP:X-Ok} == 'yes'
</Location>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	secs := cfg.Main.Sections
	for i := 0; i < 2; i++ {
		if secs[i].Expr == nil {
			t.Errorf("section %d (%s) has no parsed expression", i, secs[i].Kind)
		}
	}
	h := cfg.Main.Dir.Headers
	if h.Response[0].ValueExpr == nil || h.Response[0].Value != nil {
		t.Errorf("expr= value: %+v", h.Response[0])
	}
	if h.Response[1].Cond == nil || h.Response[1].Expr != "%{HTTP:X-Foo} == 'a'" {
		t.Errorf("expr= condition (case-insensitive prefix): %+v", h.Response[1])
	}
	if h.Request[0].ValueExpr == nil {
		t.Errorf("edit replacement expr=: %+v", h.Request[0])
	}
	q := secs[3].Dir.Authz.Require.Children[0]
	if q.Expr == nil || !q.Expr.UsesRemoteUser() {
		t.Errorf("Require expr (quoted): %+v", q)
	}
	u := secs[4].Dir.Authz.Require.Children[0]
	if u.Expr == nil || u.Expr.UsesRemoteUser() {
		t.Errorf("Require expr (bare): %+v", u)
	}
}

func TestExprConfigErrors(t *testing.T) {
	for conf, want := range map[string]string{
		"<If \"%{HTTP_HOST} ==\">\n</If>":                           "Cannot parse condition clause: syntax error, unexpected $end",
		"<If \"%{NOPE} == 'a'\">\n</If>":                            "Cannot parse condition clause: Variable 'NOPE' does not exist",
		"Header set X \"expr=%{NOPE}\"":                             "Can't parse value expression : Variable 'NOPE' does not exist",
		"Header set X y \"expr=%{HTTP:X} ==\"":                      "Can't parse envclause/expression: syntax error, unexpected $end",
		"<Location /x>\nRequire expr \"'a\"\n</Location>":           "Cannot parse expression in require line: Unterminated string or variable",
		"<Location /x>\nRequire host example.com\n</Location>":      "Require host is not supported by oidcgate",
		"<Location /x>\nRequire forward-dns a.example\n</Location>": "Require forward-dns is not supported by oidcgate",
	} {
		_, diags := compileForTest(t, "ServerName a\n"+conf+"\n")
		if !strings.Contains(diags.Errors().Error(), want) {
			t.Errorf("%q: %v, want %q", conf, diags.Errors(), want)
		}
	}
}
