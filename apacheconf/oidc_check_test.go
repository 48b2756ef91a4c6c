package apacheconf

import (
	"strings"
	"testing"
)

func TestOIDCVHostMerge(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
OIDCSSLValidateServer Off
OIDCScope "openid email"
OIDCRedirectURLsAllowed ^https://a/ ^https://b/
<VirtualHost *:80>
  ServerName v
  OIDCSSLValidateServer On
  OIDCScope openid
  OIDCRedirectURLsAllowed ^https://c/
  <Location /x>
    OIDCWhiteListedClaims sub email
    OIDCPassCookies a
    OIDCPassCookies b
  </Location>
</VirtualHost>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	v := cfg.VHosts[0].OIDC
	// 2.4.12.3 compares these with the default: writing the default in a
	// vhost keeps the main server's value.
	if v.SSLValidateServer() || v.Scope() != "openid email" {
		t.Errorf("vhost default-valued settings: ssl %v scope %q", v.SSLValidateServer(), v.Scope())
	}
	if r, _ := v.Value("OIDCRedirectURLsAllowed"); len(r.Regexps) != 1 || r.Regexps[0].String() != "^https://c/" {
		t.Errorf("lists are replaced whole: %v", r.Words)
	}
	if wl, ok := v.Value("OIDCWhiteListedClaims"); !ok || strings.Join(wl.Words, ",") != "sub,email" {
		t.Errorf("OIDCWhiteListedClaims in a section applies to the server: %v", wl.Words)
	}
	var sec *Section
	for _, s := range cfg.VHosts[0].Sections {
		if s.Arg == "/x" {
			sec = s
		}
	}
	pc, _ := sec.Dir.OIDC.Value("OIDCPassCookies")
	if strings.Join(pc.Words, ",") != "a,b" {
		t.Errorf("ITERATE lines accumulate: %v", pc.Words)
	}
	if len(diags.Warnings()) == 0 {
		t.Error("a server-wide directive in a section is worth a warning")
	}
	// The merged value shares nothing with its inputs.
	m := cfg.Main.OIDC
	merged := m.MergeVHost(nil)
	mv, _ := merged.Value("OIDCRedirectURLsAllowed")
	mv.Words[0] = "changed"
	if orig, _ := m.Value("OIDCRedirectURLsAllowed"); orig.Words[0] != "^https://a/" {
		t.Error("MergeVHost shares slices with its input")
	}
	var none *OIDCServer
	if none.MergeVHost(nil) != nil || (*OIDCDir)(nil).Merge(nil) != nil {
		t.Error("nil on both sides merges to nil")
	}
}

func TestCheckOIDC(t *testing.T) {
	cases := []struct{ name, conf, want string }{
		{"no provider, no check", "OIDCClientID x\n", ""},
		{"redirect uri", "OIDCProviderIssuer https://op\n", "mandatory parameter 'OIDCRedirectURI' is not set"},
		{"passphrase", "OIDCProviderIssuer https://op\nOIDCRedirectURI /r\n", "mandatory parameter 'OIDCCryptoPassphrase' is not set"},
		{"authz endpoint", "OIDCProviderIssuer https://op\nOIDCRedirectURI /r\nOIDCCryptoPassphrase p\n", "mandatory parameter 'OIDCProviderAuthorizationEndpoint' is not set"},
		{"client id", "OIDCProviderMetadataURL https://op/\nOIDCRedirectURI /r\nOIDCCryptoPassphrase p\n", "mandatory parameter 'OIDCClientID' is not set"},
		{"complete", "OIDCProviderMetadataURL https://op/\nOIDCRedirectURI /r\nOIDCCryptoPassphrase p\nOIDCClientID c\n", ""},
		{"metadata dir and url", "OIDCMetadataDir /\nOIDCProviderMetadataURL https://op/\nOIDCRedirectURI /r\nOIDCCryptoPassphrase p\n", "only one of 'OIDCProviderMetadataURL' or 'OIDCMetadataDir' should be set"},
		{"cookie domain", "OIDCProviderMetadataURL https://op/\nOIDCRedirectURI https://app.example.com/r\nOIDCCryptoPassphrase p\nOIDCClientID c\nOIDCCookieDomain other.com\n", "the domain (other.com) configured in OIDCCookieDomain does not match the URL hostname (app.example.com)"},
		{"cookie domain ok", "OIDCProviderMetadataURL https://op/\nOIDCRedirectURI https://app.example.com/r\nOIDCCryptoPassphrase p\nOIDCClientID c\nOIDCCookieDomain .example.com\n", ""},
		{"oauth nothing to verify with", "OIDCOAuthClientID x\n", "one of 'OIDCOAuthServerMetadataURL', 'OIDCOAuthIntrospectionEndpoint'"},
		{"oauth both", "OIDCOAuthIntrospectionEndpoint https://op/i\nOIDCOAuthVerifyJwksUri https://op/j\n", "only 'OIDCOAuthIntrospectionEndpoint' OR one"},
		{"oauth ok", "OIDCOAuthIntrospectionEndpoint https://op/i\n", ""},
		{"oauth cache encrypt", "OIDCOAuthIntrospectionEndpoint https://op/i\nOIDCCacheEncrypt On\n", "mandatory parameter 'OIDCCryptoPassphrase' is not set"},
		{"oauth cache encrypt off", "OIDCOAuthIntrospectionEndpoint https://op/i\nOIDCCacheEncrypt Off\n", ""},
		{"vhost inherits and is checked", "OIDCProviderIssuer https://op\n<VirtualHost *:80>\nServerName v\nOIDCRedirectURI /r\n</VirtualHost>\n", "mandatory parameter 'OIDCCryptoPassphrase' is not set"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags := compileForTest(t, "ServerName a\n"+tc.conf)
			if diags.HasErrors() {
				t.Fatal(diags.Errors())
			}
			got := CheckOIDC(cfg).Errors()
			if tc.want == "" {
				if len(got) > 0 {
					t.Fatalf("unexpected: %v", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Msg, tc.want) || got[0].Stage != StageCheck {
				t.Fatalf("got %v, want %q", got, tc.want)
			}
		})
	}
	// Only the main server is checked when there is no vhost; with vhosts
	// only the (merged) vhosts are.
	cfg, _ := compileForTest(t, "ServerName a\nOIDCProviderIssuer https://op\n<VirtualHost *:80>\nServerName v\nOIDCRedirectURI /r\nOIDCCryptoPassphrase p\nOIDCProviderAuthorizationEndpoint https://op/a\nOIDCClientID c\n</VirtualHost>\n")
	if ds := CheckOIDC(cfg); ds.HasErrors() {
		t.Errorf("the main server is not checked when vhosts exist: %v", ds)
	}
	cfg, _ = compileForTest(t, "ServerName a\nOIDCOAuthIntrospectionEndpoint https://op/i\n")
	if w := CheckOIDC(cfg).Warnings(); len(w) != 1 || !strings.Contains(w[0].Msg, "deprecated and superseded by a new module") {
		t.Errorf("the resource server is announced as deprecated, as 2.4.12.3 logs: %v", w)
	}
	if CheckOIDC(nil) != nil {
		t.Error("nil config")
	}
}

func FuzzOIDCValue(f *testing.F) {
	for _, s := range []string{"https://op/x", "/rel", "5x", "30s", "enc#kid#key", "sig:kid#file", "code id_token"} {
		f.Add("oidcprovidermetadataurl", s)
		f.Add("oidcmemcacheconnectionsttl", s)
		f.Add("oidcoauthverifysharedkeys", s)
		f.Add("oidcresponsetype", s)
	}
	f.Fuzz(func(t *testing.T, key, arg string) {
		spec, ok := oidcValueSpecs[key]
		if !ok {
			return
		}
		v := OIDCValue{Words: []string{arg}}
		_ = parseOIDCValue(key, spec, &v, oidcParseEnv{root: "/nonexistent"})
	})
}

// TestOIDCIDTokenAudValuesAccumulate: upstream adds OIDCIDTokenAudValues
// lines up, like the other word lists.
func TestOIDCIDTokenAudValuesAccumulate(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
<IfModule oidcgate.c>
OIDCIDTokenAudValues @ api
OIDCIDTokenAudValues other
</IfModule>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	v, ok := cfg.Main.OIDC.Value("OIDCIDTokenAudValues")
	if !ok || strings.Join(v.Words, ",") != "@,api,other" {
		t.Errorf("OIDCIDTokenAudValues over two lines: %v", v.Words)
	}
}
