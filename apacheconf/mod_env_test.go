package apacheconf

import (
	"strings"
	"testing"
)

// findSection returns the first section of srv with the given argument.
func findSection(t *testing.T, srv *Server, arg string) *Section {
	t.Helper()
	for _, s := range srv.Sections {
		if s.Arg == arg {
			return s
		}
	}
	t.Fatalf("no section %q", arg)
	return nil
}

func TestEnvErrors(t *testing.T) {
	// Messages checked against Debian's apache2 -t.
	tests := []struct{ conf, want string }{
		{"SetEnvIf", "Missing header-field name for SetEnvIf"},
		{"SetEnvIf X", "Missing regular expression for SetEnvIf"},
		{"SetEnvIf X y", "Missing envariable expression for SetEnvIf"},
		{`SetEnvIf X "(" A`, "SetEnvIf regex could not be compiled."},
		{`SetEnvIfNoCase "X(" y A`, "SetEnvIfNoCaseHeader name regex could not be compiled."},
		{"BrowserMatchNoCase", "Missing regular expression for BrowserMatchNoCase"},
		{`BrowserMatch "a" ""`, "Missing envariable expression for BrowserMatch"},
		{"SetEnvIfExpr", "Missing expression for SetEnvIfExpr"},
		{`SetEnvIfExpr "true"`, "Missing envariable expression for SetEnvIfExpr"},
		{"SetEnv a b c", "SetEnv takes 1-2 arguments, an environment variable name and optional value to pass to CGI."},
		{"UnsetEnv", "UnsetEnv requires at least one argument, a list of variables to remove from the CGI environment."},
	}
	for _, tt := range tests {
		t.Run(tt.conf, func(t *testing.T) {
			_, diags := compileForTest(t, tt.conf+"\n")
			d, ok := diags.First()
			if !ok || d.Msg != tt.want {
				t.Fatalf("got %v, want %q", diags, tt.want)
			}
		})
	}
}

func TestSetEnvSpuriousEquals(t *testing.T) {
	_, diags := compileForTest(t, "ServerName x\nSetEnv A=b\n")
	w := diags.Warnings()
	if diags.HasErrors() || len(w) != 1 || w[0].Msg != "Spurious usage of '=' in an environment variable name. 'SetEnv A b' expected instead?" {
		t.Fatalf("diags %v", diags)
	}
}

func TestSetEnvIfModel(t *testing.T) {
	cfg, diags := compileForTest(t, `SetEnvIf Request_URI "^/health" no-proxy dontlog
BrowserMatchNoCase "^curl/(\d+)" IS_CURL=v$1 !SPIDER
<Location /x>
  SetEnvIf X-Token plain TOK=yes TOK=no
  SetEnvIf "^X-(A|B)$" . AB
  SetEnvIfExpr "%{REQUEST_URI} =~ /x/" EXPR=1
  SetEnvIf X-Unset . V=!gone
</Location>
`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	e := cfg.Main.Dir.Env
	if len(e.Early) != 2 || len(e.Cond) != 0 {
		t.Fatalf("server-level rules must be early: %+v", e)
	}
	r := e.Early[0]
	if r.Subject != EnvIfRequestURI || !r.Regex.MatchString("/health/x") || len(r.Assign) != 2 || r.Assign[0] != (EnvAssign{Name: "no-proxy", Value: "1", Substitute: true}) {
		t.Errorf("rule 0 %+v", r)
	}
	b := e.Early[1]
	if b.Name != "User-Agent" || b.Subject != EnvIfHeader || !b.Regex.MatchString("CURL/8") || b.Assign[0].Value != "v$1" || !b.Assign[1].Unset || b.Assign[1].Name != "SPIDER" {
		t.Errorf("BrowserMatchNoCase %+v", b)
	}
	loc := findSection(t, cfg.Main, "/x").Dir.Env
	if len(loc.Cond) != 4 || len(loc.Early) != 0 {
		t.Fatalf("section rules %+v", loc)
	}
	if a := loc.Cond[0].Assign; len(a) != 1 || a[0].Value != "no" || a[0].Substitute {
		t.Errorf("plain pattern: later word replaces, no $N substitution: %+v", a)
	}
	if loc.Cond[1].NameRegex == nil || !loc.Cond[1].NameRegex.MatchString("X-A") {
		t.Errorf("header-name regex %+v", loc.Cond[1])
	}
	if loc.Cond[2].Subject != EnvIfExpr || loc.Cond[2].Expr != "%{REQUEST_URI} =~ /x/" {
		t.Errorf("expr %+v", loc.Cond[2])
	}
	if a := loc.Cond[3].Assign[0]; !a.Unset || a.Name != "V" {
		t.Errorf("value starting with ! unsets: %+v", a)
	}
	if loc.Cond[0].Pos.Line != 4 {
		t.Errorf("position %v", loc.Cond[0].Pos)
	}
}

func TestIsRegexPattern(t *testing.T) {
	for s, want := range map[string]bool{
		"Mozilla": false, `a\.b`: false, `a\\b`: false, "^a": true, "a.b": true, `\d`: true, "a|b": true,
	} {
		if got := isRegexPattern(s); got != want {
			t.Errorf("isRegexPattern(%q) = %v", s, got)
		}
	}
}

func envNames(vs []EnvVar) string {
	var b []string
	for _, v := range vs {
		s := v.Name + "=" + v.Value
		if v.Pass {
			s = v.Name + "(pass)"
		}
		b = append(b, s)
	}
	return strings.Join(b, " ")
}

func TestEnvMerge(t *testing.T) {
	cfg, diags := compileForTest(t, `SetEnv A main
SetEnv B main
PassEnv HOME
SetEnvIf Request_URI ^/ MAINRULE
<VirtualHost *:80>
  ServerName v
  SetEnv b vhost
  UnsetEnv HOME
  SetEnvIf Request_URI ^/ VHRULE
  <Location />
    UnsetEnv A
    SetEnv C loc
    SetEnv D x
    UnsetEnv D
    SetEnvIf X . LOCRULE
  </Location>
  <Location /sub>
    SetEnv A again
    SetEnvIf X . SUBRULE
  </Location>
</VirtualHost>
`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	vh := cfg.VHosts[0]
	if got := envNames(vh.Dir.Env.Set); got != "A=main b=vhost" {
		t.Errorf("vhost env %q (UnsetEnv in the vhost removes main's PassEnv; names fold case)", got)
	}
	if got := envNames(cfg.Main.Dir.Env.Set); got != "A=main B=main HOME(pass)" {
		t.Errorf("main env changed by the vhost merge: %q", got)
	}
	root := findSection(t, vh, "/").Dir
	sub := findSection(t, vh, "/sub").Dir
	m := vh.Dir.Merge(root).Merge(sub).Env
	if got := envNames(m.Set); got != "b=vhost C=loc A=again" {
		t.Errorf("merged env %q", got)
	}
	var early, cond []string
	for _, r := range m.Early {
		early = append(early, r.Assign[0].Name)
	}
	for _, r := range m.Cond {
		cond = append(cond, r.Assign[0].Name)
	}
	if strings.Join(early, ",") != "MAINRULE,VHRULE" || strings.Join(cond, ",") != "LOCRULE,SUBRULE" {
		t.Errorf("rule order early=%v cond=%v", early, cond)
	}
	if len(m.Unset) != 0 {
		t.Error("a merged scope keeps no UnsetEnv")
	}
}

func TestEnvDirMergeNil(t *testing.T) {
	a := &EnvDir{Set: []EnvVar{{Name: "X", Value: "1"}}}
	if a.Merge(nil) != a {
		t.Error("Merge(nil) must return base")
	}
	m := (*EnvDir)(nil).Merge(a)
	m.Set[0].Value = "changed"
	if a.Set[0].Value != "1" {
		t.Error("Merge shares the Set slice with its input")
	}
}
