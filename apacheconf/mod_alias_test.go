package apacheconf

import (
	"fmt"
	"strings"
	"testing"
)

// TestAliasErrors: each message was recorded from Debian's apache2 -t.
func TestAliasErrors(t *testing.T) {
	tests := []struct{ conf, want string }{
		{"Redirect foo /a /b", "Redirect: invalid first argument (of three)"},
		{"Redirect /a", "URL to redirect to is missing"},
		{"Redirect 301 /a", "URL to redirect to is missing"},
		{"<Location /x>\nRedirect 301\n</Location>", "URL to redirect to is missing"},
		{"Redirect /a b", "Redirect to non-URL"},
		{"Redirect 410 /a http://x", "Redirect URL not valid for this status"},
		{"Redirect 3000 /a http://x", "Redirect URL not valid for this status"},
		{"Alias /a", "Alias must have two arguments when used globally"},
		{"<Location /x>\nAlias /a /b\n</Location>", "Alias cannot occur within directory context"},
		{"<Directory /x>\nAlias /y\n</Directory>", "Alias cannot occur within <Directory> section"},
		{"<Location /x>\nAlias \"%{REQUEST_URI\"\n</Location>", "Cannot parse alias expression '%{REQUEST_URI': syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"},
		{"<Location /x>\nRedirect \"%{X\"\n</Location>", "Cannot parse redirect expression '%{X': syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"},
		{"<Location /x>\nRedirect \"%{}\"\n</Location>", "Cannot parse redirect expression '%{}': syntax error, unexpected T_VAR_END, expecting T_ID"},
		{"<Location /x>\nRedirect \"%{a b}\"\n</Location>", "Cannot parse redirect expression '%{a b}': syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Invalid character in variable name ' '"},
		{"<Location /x>\nRedirect \"%{1a}\"\n</Location>", "Cannot parse redirect expression '%{1a}': syntax error, unexpected T_ERROR, expecting T_ID: Invalid character in variable name '1'"},
		{"<Location /x>\nRedirect \"%{tolower:}\"\n</Location>", "Cannot parse redirect expression '%{tolower:}': syntax error, unexpected T_VAR_END, expecting T_ERROR or T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN"},
		{"<Location /x>\nRedirect \"%{FOO}\"\n</Location>", "Cannot parse redirect expression '%{FOO}': Variable 'FOO' does not exist"},
		{"<Location /x>\nRedirect \"%{nofunc:x}\"\n</Location>", "Cannot parse redirect expression '%{nofunc:x}': Function 'nofunc' does not exist"},
		{"AliasMatch ^/(a /b", "Regular expression could not be compiled."},
		{"RedirectMatch ^/(a /b", "Regular expression could not be compiled."},
		{"RedirectRelative maybe", "RedirectRelative must be On or Off"},
	}
	for _, tt := range tests {
		_, diags := compileForTest(t, "ServerName a\n"+tt.conf+"\n")
		d, ok := diags.First()
		if !ok || d.Msg != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.conf, diags, tt.want)
		}
	}
}

// TestAliasAccepted: configurations apache2 -t accepts.
func TestAliasAccepted(t *testing.T) {
	for _, conf := range []string{
		"<Location /x>\nAlias /srv/%{REQUEST_URI}\n</Location>",
		"<Location /x>\nRedirect permanent /new\n</Location>",
		"<Location /x>\nRedirect gone\n</Location>",
		"<Location /x>\nRedirect /a\n</Location>",
		"<Location /x>\nRedirect 404\n</Location>",
		"<Location /x>\nRedirect \"%{HTTP:Host}%{tolower:%{REQUEST_URI}}\"\n</Location>",
		"Redirect gone /a",
		"Redirect 200 /a",
		"RedirectMatch gone ^/a",
		"RedirectMatch ^/a b",
		"RedirectPermanent /a https://b/",
		"RedirectTemp /a /b",
		"Redirect seeother /a https://b/",
	} {
		_, diags := compileForTest(t, "ServerName a\n"+conf+"\n")
		if diags.HasErrors() {
			t.Errorf("%q: %v", conf, diags.Errors())
		}
	}
}

func dumpRedirect(r RedirectRule) string {
	s := fmt.Sprintf("%d %s -> %s", r.Status, r.Path, r.URL)
	if r.Regex != nil {
		s = "re " + s
	}
	return s
}

func TestRedirectForms(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
Redirect /a https://b/
Redirect permanent /p https://b/p
Redirect seeother /s /t
Redirect gone /g
Redirect 418 /tea
RedirectMatch ^/m/(.*)$ https://b/$1
RedirectPermanent /rp https://b/rp
RedirectTemp /rt https://b/rt
<Location /loc>
Redirect permanent /new
Redirect /in https://c/
</Location>
<Location /gone>
Redirect gone
</Location>
<Location /plain>
Redirect https://d/%{REQUEST_URI}
</Location>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	var got []string
	for _, r := range cfg.Main.Alias.Redirects {
		got = append(got, dumpRedirect(r))
	}
	want := []string{"302 /a -> https://b/", "301 /p -> https://b/p", "303 /s -> /t", "410 /g -> ", "418 /tea -> ",
		"re 302 ^/m/(.*)$ -> https://b/$1", "301 /rp -> https://b/rp", "302 /rt -> https://b/rt"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("server redirects:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	loc := cfg.Main.Sections[0].Dir.Alias
	if loc.Redirect == nil || loc.Redirect.Status != 301 || loc.Redirect.Expr.Text != "/new" || !loc.Redirect.Expr.IsLiteral() {
		t.Errorf("location redirect: %+v", loc.Redirect)
	}
	if len(loc.Redirects) != 1 || dumpRedirect(loc.Redirects[0]) != "302 /in -> https://c/" {
		t.Errorf("location redirect list: %+v", loc.Redirects)
	}
	if g := cfg.Main.Sections[1].Dir.Alias.Redirect; g == nil || g.Status != 410 || g.Expr != nil {
		t.Errorf("gone: %+v", g)
	}
	p := cfg.Main.Sections[2].Dir.Alias.Redirect
	if p == nil || p.Status != 302 || p.Expr.IsLiteral() || len(p.Expr.Parts) != 2 || p.Expr.Parts[1].Var != "REQUEST_URI" {
		t.Errorf("expression redirect: %+v", p)
	}
}

func TestAliasMergeAndWarnings(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
Alias /a /srv/a
Alias /a/c /srv/c
AliasMatch ^/x /srv/x
ScriptAlias /x/y /srv/cgi
RedirectRelative On
<VirtualHost *:80>
Alias /v /srv/v
Redirect /vr https://v/
</VirtualHost>
<Location /one>
AliasPreservePath On
Redirect /one/x https://x/
</Location>
<Location /one/two>
Redirect /one/two/y https://y/
</Location>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	var warns []string
	for _, w := range diags.Warnings() {
		if strings.HasPrefix(w.Msg, "AH00671") {
			warns = append(warns, w.Msg)
		}
	}
	wantWarns := []string{
		"AH00671: The Alias directive in " + cfg.Main.Alias.Aliases[1].Pos.File + " at line 3 will probably never match because it overlaps an earlier Alias.",
		"AH00671: The ScriptAlias directive in " + cfg.Main.Alias.Aliases[1].Pos.File + " at line 5 will probably never match because it overlaps an earlier AliasMatch.",
	}
	if strings.Join(warns, "\n") != strings.Join(wantWarns, "\n") {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(warns, "\n"), strings.Join(wantWarns, "\n"))
	}
	if !cfg.Main.Alias.Aliases[3].Script {
		t.Error("ScriptAlias not marked Script")
	}
	vh := cfg.VHosts[0].Alias
	if len(vh.Aliases) != 5 || vh.Aliases[0].Fake != "/v" || vh.Aliases[1].Fake != "/a" {
		t.Errorf("vhost aliases must come before the main server's: %+v", vh.Aliases)
	}
	if len(vh.Redirects) != 1 || vh.Redirects[0].Path != "/vr" {
		t.Errorf("vhost redirects: %+v", vh.Redirects)
	}
	if len(cfg.Main.Alias.Aliases) != 4 {
		t.Errorf("MergeVHost modified the main server: %d aliases", len(cfg.Main.Alias.Aliases))
	}
	s := cfg.Main.Sections
	m := cfg.Main.Dir.Merge(s[0].Dir).Merge(s[1].Dir)
	if len(m.Alias.Redirects) != 2 || m.Alias.Redirects[0].Path != "/one/two/y" || m.Alias.Redirects[1].Path != "/one/x" {
		t.Errorf("merged section redirects (later first): %+v", m.Alias.Redirects)
	}
	if m.Alias.PreservePath == nil || !*m.Alias.PreservePath || m.Alias.RelativeRedirects == nil || !*m.Alias.RelativeRedirects {
		t.Errorf("flags not inherited: %+v", m.Alias)
	}
	if len(s[0].Dir.Alias.Redirects) != 1 {
		t.Error("Merge modified its input")
	}
}

func TestAliasMatches(t *testing.T) {
	tests := []struct {
		uri, fake string
		want      int
	}{
		{"/a", "/a", 2},
		{"/a/b", "/a", 2},
		{"/ab", "/a", 0},
		{"//a//b", "/a/", 5},
		{"/a", "/a/", 0},
		{"/icons/x", "/icons/", 7},
		{"/", "", 0},
	}
	for _, tt := range tests {
		if got := aliasMatches(tt.uri, tt.fake); got != tt.want {
			t.Errorf("aliasMatches(%q, %q) = %d, want %d", tt.uri, tt.fake, got, tt.want)
		}
	}
}

func FuzzStringExpr(f *testing.F) {
	for _, s := range []string{"/new", "%{REQUEST_URI}", "%{", "%{}", "%{a b}", "a$1b", `\%{x}`, "%{tolower:%{HTTP:Host}}", "%{env:", "%{http:}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, msg := parseStringExpr(s)
		if (e == nil) == (msg == "") {
			t.Fatalf("%q: expr %v, msg %q", s, e, msg)
		}
		if e != nil && !strings.Contains(s, "%{") && !strings.Contains(s, "$") && !strings.Contains(s, `\`) && !e.IsLiteral() {
			t.Fatalf("%q: plain text parsed as a reference", s)
		}
	})
}
