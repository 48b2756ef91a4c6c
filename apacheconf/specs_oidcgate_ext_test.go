package apacheconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const extConf = `LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
<IfModule oidcgate.c>
  OIDCGateOAuthValidateWith userinfo
  OIDCGateOAuthProviderMetadataURL https://idp.example/.well-known/openid-configuration
  OIDCGateOAuthPassClaims sub name email
  OIDCGateOAuthPassClaimsEncoding base64url
  OIDCPassUserInfoAs json:Identity
</IfModule>
<Location /api>
  AuthType oauth20
  <IfModule oidcgate.c>
    OIDCGateOAuthTokenHeader X-Access-Token
    OIDCGateOAuthUnAuthAction pass
    OIDCGateOAuthEnforceStatus 403
  </IfModule>
</Location>
`

func loadExt(t *testing.T, conf string, strict bool) (*Config, Diagnostics) {
	t.Helper()
	root := t.TempDir()
	file := filepath.Join(root, "main.conf")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(Options{File: file, ServerRoot: root, Envvars: EnvvarsOff, Strict: strict})
}

func TestExtensionDirectivesRead(t *testing.T) {
	cfg, diags := loadExt(t, extConf, false)
	if cfg == nil || diags.HasErrors() {
		t.Fatalf("%v", diags.Errors())
	}
	o := cfg.Main.OIDC
	if v, _ := o.Value("OIDCGateOAuthValidateWith"); v.String() != "userinfo" {
		t.Errorf("ValidateWith = %q", v.String())
	}
	if v, _ := o.Value("OIDCGateOAuthPassClaims"); strings.Join(v.Words, ",") != "sub,name,email" {
		t.Errorf("PassClaims = %q", v.Words)
	}
	if h := o.PassUserInfoHeader(); h != "Identity" {
		t.Errorf("PassUserInfoHeader = %q", h)
	}
	var loc *Section
	for _, s := range cfg.Main.Sections {
		if s.Arg == "/api" {
			loc = s
		}
	}
	if loc == nil || loc.Dir.OIDC == nil {
		t.Fatal("no /api section with OIDC settings")
	}
	for name, want := range map[string]string{"OIDCGateOAuthTokenHeader": "X-Access-Token", "OIDCGateOAuthUnAuthAction": "pass", "OIDCGateOAuthEnforceStatus": "403"} {
		if v, ok := loc.Dir.OIDC.Value(name); !ok || v.String() != want {
			t.Errorf("%s = %q, %v", name, v.String(), ok)
		}
	}
	// --apache skips the block, as Apache does.
	cfg, diags = loadExt(t, extConf, true)
	if cfg == nil || diags.HasErrors() {
		t.Fatalf("strict: %v", diags.Errors())
	}
	if _, ok := cfg.Main.OIDC.Value("OIDCGateOAuthValidateWith"); ok {
		t.Error("strict mode read the oidcgate block")
	}
}

func TestExtensionDirectivesOutsideIfModule(t *testing.T) {
	conf := "LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so\nOIDCGateOAuthEnforceStatus 403\n"
	if _, diags := loadExt(t, conf, false); diags.HasErrors() {
		t.Errorf("oidcgate refused it: %v", diags.Errors())
	}
	_, diags := loadExt(t, conf, true)
	errs := diags.Errors()
	if len(errs) != 1 || errs[0].Pos.Line != 2 || !strings.Contains(errs[0].Msg, "Invalid command 'OIDCGateOAuthEnforceStatus'") || !strings.Contains(errs[0].Hint, "<IfModule oidcgate.c>") {
		t.Errorf("strict: %v", errs)
	}
	// json:NAME is refused by 2.4.12.3, so by --apache outside the block.
	conf = "LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so\nOIDCPassUserInfoAs json:Identity\n"
	if _, diags := loadExt(t, conf, false); diags.HasErrors() {
		t.Errorf("oidcgate refused json:NAME: %v", diags.Errors())
	}
	_, diags = loadExt(t, conf, true)
	if errs := diags.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Msg, "invalid value 'json:Identity', must be one of ['claims'|'json'|'jwt']") {
		t.Errorf("strict json:NAME: %v", errs)
	}
}

func TestExtensionDirectiveValues(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"OIDCGateOAuthTokenHeader X:Token", "is not a header name"},
		{"OIDCGateOAuthValidateWith introspection", "userinfo|module"},
		{"OIDCGateOAuthProviderMetadataURL /relative", "absolute http or https URL"},
		{"OIDCGateOAuthPassClaimsEncoding base64", "none|base64url"},
		{"OIDCGateOAuthUnAuthAction 401", "auth|pass"},
		{"OIDCGateOAuthEnforceStatus 302", "between 400 and 599"},
		{"OIDCGateOAuthEnforceStatus forbidden", "between 400 and 599"},
		{"OIDCGateOAuthEnforceStatus 403 404", "takes one argument"},
		{"OIDCPassUserInfoAs json:", "must be one of"},
		{"<Location /x>\nOIDCGateOAuthValidateWith userinfo\n</Location>", "not allowed"},
	} {
		conf := "LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so\n<IfModule oidcgate.c>\n" + c.line + "\n</IfModule>\n"
		_, diags := loadExt(t, conf, false)
		errs := diags.Errors()
		if len(errs) != 1 || !strings.Contains(errs[0].Msg, c.want) || errs[0].Pos.Line < 3 || !strings.HasSuffix(errs[0].Pos.File, "main.conf") {
			t.Errorf("%s: %v", c.line, errs)
		}
	}
}

func FuzzExtValue(f *testing.F) {
	for _, s := range []string{"X-Token", "userinfo", "https://idp/x", "sub name", "base64url", "pass", "403", "", "\x00"} {
		f.Add("oidcgateoauthtokenheader", s)
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		words := strings.Fields(value)
		if checkExtValue(key, words) == "" && len(words) == 0 {
			t.Fatal("empty value accepted")
		}
		if key == "oidcgateoauthtokenheader" && checkExtValue(key, words) == "" && !isHeaderToken(words[0]) {
			t.Fatal("bad header name accepted")
		}
	})
}

func TestExtensionUserInfoNeedsProvider(t *testing.T) {
	conf := "LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so\n<IfModule oidcgate.c>\nOIDCGateOAuthValidateWith userinfo\n</IfModule>\n"
	_, diags := loadExt(t, conf, false)
	errs := diags.Errors()
	if len(errs) != 1 || errs[0].Pos.Line != 3 || !strings.Contains(errs[0].Msg, "needs OIDCGateOAuthProviderMetadataURL") {
		t.Errorf("%v", errs)
	}
}
