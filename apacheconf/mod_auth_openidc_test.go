package apacheconf

import (
	"strings"
	"testing"
	"time"
)

func TestOIDCValueSpecsMatchRegistry(t *testing.T) {
	reg := DefaultRegistry()
	for key := range oidcValueSpecs {
		if key != strings.ToLower(key) {
			t.Errorf("%s: keys must be lower-case", key)
		}
		if s, ok := reg.Lookup(key); !ok || s.Module != "mod_auth_openidc" {
			t.Errorf("%s: not a mod_auth_openidc directive", key)
		}
	}
	n := 0
	for _, s := range reg.Specs() {
		if s.Module == "mod_auth_openidc" {
			n++
			if _, ok := oidcHandlers[strings.ToLower(s.Name)]; !ok {
				t.Errorf("%s has no handler", s.Name)
			}
		}
	}
	// 2.4.12.3's 129 plus the 20 of current upstream: upstream's 146 and
	// the three directives it dropped (OIDCHTMLErrorTemplate, token binding).
	if n != 129+20 {
		t.Errorf("%d mod_auth_openidc directives, want 149", n)
	}
}

func TestOIDCHeadOnlyStrict(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"main.conf": "LoadModule mpm_event_module x.so\nLoadModule auth_openidc_module x.so\nServerName a\nOIDCIDTokenAudValues @ other\n", "x.so": ""})
	_, diags := Load(Options{File: "main.conf", ServerRoot: root, Envvars: EnvvarsOff})
	if diags.HasErrors() {
		t.Fatalf("upstream directive refused outside strict mode: %v", diags.Errors())
	}
	_, diags = Load(Options{File: "main.conf", ServerRoot: root, Envvars: EnvvarsOff, Strict: true})
	if d, ok := diags.First(); !ok || !strings.Contains(d.Msg, "Invalid command 'OIDCIDTokenAudValues'") {
		t.Fatalf("strict mode must refuse it as Debian's 2.4.12.3 does: %v", diags)
	}
}

func TestOIDCSettings(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
OIDCProviderMetadataURL https://op.example/.well-known/openid-configuration
OIDCClientID main-client
OIDCSessionInactivityTimeout 600
OIDCSSLValidateServer Off
<VirtualHost *:80>
  ServerName v
  OIDCClientID vhost-client
  OIDCClaimPrefix ""
  <Location /api>
    OIDCUnAuthAction 401
  </Location>
</VirtualHost>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	m, v := cfg.Main.OIDC, cfg.VHosts[0].OIDC
	if m.ClientID() != "main-client" || v.ClientID() != "vhost-client" {
		t.Errorf("client ids %q %q", m.ClientID(), v.ClientID())
	}
	if v.ProviderMetadataURL().Host != "op.example" || v.SessionInactivityTimeout() != 600*time.Second || v.SSLValidateServer() {
		t.Error("a vhost inherits what it does not set")
	}
	if v.ClaimPrefix() != "" || m.ClaimPrefix() != "OIDC_CLAIM_" {
		t.Errorf("claim prefix %q / %q", v.ClaimPrefix(), m.ClaimPrefix())
	}
	if m.SessionMaxDuration() != 8*time.Hour || m.Scope() != "openid" || m.ClaimDelimiter() != "," || m.CacheType() != "shm" {
		t.Error("defaults of mod_auth_openidc 2.4.12.3")
	}
	var api *Section
	for _, s := range cfg.VHosts[0].Sections {
		if s.Arg == "/api" {
			api = s
		}
	}
	d := cfg.VHosts[0].Dir.Merge(api.Dir).OIDC
	if d.UnAuthAction() != "401" || d.PassClaimsAs() != "both" || d.CookieName() != "mod_auth_openidc_session" {
		t.Errorf("dir settings %q %q %q", d.UnAuthAction(), d.PassClaimsAs(), d.CookieName())
	}
	var none *OIDCDir
	if none.UnAuthAction() != "auth" {
		t.Error("accessors must work on an unset (nil) config")
	}
}
