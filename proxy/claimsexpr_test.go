package proxy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// TestOIDCFilterClaimsExpr: upstream's OIDCFilterClaimsExpr rewrites the
// id_token and the userinfo claims after the white/black lists, for
// everything that reads them: the backend's headers and Require claim.
func TestOIDCFilterClaimsExpr(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  Require claim iss:https://other.example",
		`OIDCBlackListedClaims groups`,
		`OIDCFilterClaimsExpr '. + { iss: "https://other.example", n: (.groups | length) } | del(.email_verified, .locale)'`)
	resp, body := get(t, browser(t), s.front.URL+"/a", nil)
	if resp.StatusCode != 200 || body != "backend:/a" {
		t.Fatalf("login: %d %q", resp.StatusCode, body)
	}
	r, _ := s.be.got()
	for name, want := range map[string]string{
		"OIDC_CLAIM_iss":   "https://other.example",
		"OIDC_CLAIM_n":     "0", // groups were black-listed before the program ran
		"OIDC_CLAIM_email": "zoe@example.com",
		"OIDC_CLAIM_title": "Head of R&D, Platform", // a userinfo claim, kept
	} {
		if got := r.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	for _, n := range []string{"OIDC_CLAIM_email_verified", "OIDC_CLAIM_locale", "OIDC_CLAIM_groups"} {
		if v := r.Header.Values(n); len(v) != 0 {
			t.Errorf("filtered %s reached the backend: %q", n, v)
		}
	}
	// A result that is not an object leaves no claims at all: the user is
	// still logged in (REMOTE_USER comes from the unfiltered id_token).
	s = newOIDCSite(t, "zoe", "  Require valid-user\n  RequestHeader set X-User %{REMOTE_USER}s", `OIDCFilterClaimsExpr .sub`)
	if resp, _ := get(t, browser(t), s.front.URL+"/", nil); resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	r, _ = s.be.got()
	if u := r.Header.Get("X-User"); !strings.HasPrefix(u, "zoe") {
		t.Errorf("REMOTE_USER %q", u)
	}
	for name := range r.Header {
		if strings.HasPrefix(name, "Oidc_claim") || strings.HasPrefix(name, "OIDC_CLAIM") || strings.EqualFold(name, "OIDC_id_token_payload") {
			t.Errorf("%s reached the backend though the filter failed", name)
		}
	}
	s = newOIDCSite(t, "zoe", "  Require claim sub:zoe", `OIDCFilterClaimsExpr 'error("no")'`)
	if resp, _ := get(t, browser(t), s.front.URL+"/", nil); resp.StatusCode != 401 {
		t.Errorf("Require claim with a failing filter: %d, want 401", resp.StatusCode)
	}
}

// TestOIDCUserInfoClaimsExpr: upstream's per-directory
// OIDCUserInfoClaimsExpr changes only the userinfo claims passed to the
// backend (claims and json); it is an ap_expr string evaluated per request;
// Require claim still sees the stored claims.
func TestOIDCUserInfoClaimsExpr(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  Require claim locale:sv-SE\n  OIDCUserInfoClaimsExpr '{ sub: .sub, title: .title, path: \"%{REQUEST_URI}\" }'",
		`OIDCPassUserInfoAs claims json`)
	b := browser(t)
	for _, path := range []string{"/a", "/b"} {
		resp, _ := get(t, b, s.front.URL+path, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		r, _ := s.be.got()
		if got := r.Header.Get("OIDC_CLAIM_path"); got != path {
			t.Errorf("OIDC_CLAIM_path = %q, want %q", got, path)
		}
		if got, want := r.Header.Get("OIDC_userinfo_json"), `{"sub":"zoe","title":"Head of R&D, Platform","path":"`+path+`"}`; got != want {
			t.Errorf("OIDC_userinfo_json = %s, want %s", got, want)
		}
		for _, n := range []string{"OIDC_CLAIM_locale", "OIDC_CLAIM_age"} {
			if v := r.Header.Values(n); len(v) != 0 {
				t.Errorf("%s (userinfo only, filtered out) reached the backend: %q", n, v)
			}
		}
		// id_token claims are passed as before
		if got := r.Header.Get("OIDC_CLAIM_email"); got != "zoe@example.com" {
			t.Errorf("OIDC_CLAIM_email = %q", got)
		}
	}
	// A failing program passes no userinfo at all.
	s = newOIDCSite(t, "zoe", "  Require valid-user\n  OIDCUserInfoClaimsExpr .title", `OIDCPassUserInfoAs claims json`)
	if resp, _ := get(t, browser(t), s.front.URL+"/", nil); resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	r, _ := s.be.got()
	for _, n := range []string{"OIDC_userinfo_json", "OIDC_CLAIM_title", "OIDC_CLAIM_locale"} {
		if v := r.Header.Values(n); len(v) != 0 {
			t.Errorf("%s reached the backend though the program failed: %q", n, v)
		}
	}
	if got := r.Header.Get("OIDC_CLAIM_email"); got != "zoe@example.com" {
		t.Errorf("OIDC_CLAIM_email = %q", got)
	}
}

// TestOIDCClaimsExprConfigErrors: a program that does not compile, or an
// OIDCFilterClaimsExpr that reads the request, is refused at load with its
// file and line.
func TestOIDCClaimsExprConfigErrors(t *testing.T) {
	for _, tt := range []struct{ line, want string }{
		{`OIDCFilterClaimsExpr '{ sub: '`, "jq program does not compile"},
		{`OIDCFilterClaimsExpr 'nosuch(1)'`, "jq program does not compile"},
		{`OIDCFilterClaimsExpr '{p: "%{REQUEST_URI}"}'`, "references are not supported"},
		{`OIDCFilterClaimsExpr '%{NO_SUCH_VAR}'`, "cannot parse expression"},
		{`OIDCUserInfoClaimsExpr '.a |'`, "jq program does not compile"},
	} {
		root := t.TempDir()
		file := filepath.Join(root, "main.conf")
		conf := "ServerName a\nOIDCClientID c\n\n" + tt.line + "\n"
		if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		_, diags := apacheconf.Load(apacheconf.Options{File: file, ServerRoot: root, Envvars: apacheconf.EnvvarsOff})
		d, ok := diags.First()
		if !ok || !strings.Contains(d.Msg, tt.want) || d.Pos.Line != 4 || !strings.HasSuffix(d.Pos.File, "main.conf") {
			t.Errorf("%s: %v, want %q at main.conf:4", tt.line, diags, tt.want)
		}
	}
	// A per-directory program with references compiles per request.
	root := t.TempDir()
	file := filepath.Join(root, "main.conf")
	if err := os.WriteFile(file, []byte("ServerName a\n<Location />\nOIDCUserInfoClaimsExpr '{p: \"%{REQUEST_URI}\"}'\n</Location>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if cfg, diags := apacheconf.Load(apacheconf.Options{File: file, ServerRoot: root, Envvars: apacheconf.EnvvarsOff}); cfg == nil {
		t.Errorf("OIDCUserInfoClaimsExpr with a reference: %v", diags)
	}
}
