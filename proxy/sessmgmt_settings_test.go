package proxy

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The session-management and logout directives, OIDCPassCookies,
// OIDCPassAccessToken and OIDCPreservePostTemplates reach the relying
// party's settings.
func TestSessionManagementSettings(t *testing.T) {
	dir := t.TempDir()
	pre, res := filepath.Join(dir, "p.html"), filepath.Join(dir, "r.html")
	os.WriteFile(pre, []byte("<p>%s %s</p>"), 0o644)
	os.WriteFile(res, []byte("<p>%s</p>"), 0o644)
	cfg := loadConfig(t, "ServerName main.example\nListen 80\n"+
		"OIDCProviderCheckSessionIFrame https://op.example/check\n"+
		"OIDCLogoutRequestParams client_id=c&foo=bar\n"+
		"OIDCPreservePostTemplates "+pre+" "+res+"\n"+
		"OIDCPassCookies a b\nOIDCPassAccessToken Off\n")
	s := oidcSettings(cfg.Main)
	if s.CheckSessionIFrame != "https://op.example/check" || s.LogoutRequestParams != "client_id=c&foo=bar" ||
		s.PreserveTemplate != "<p>%s %s</p>" || s.RestoreTemplate != "<p>%s</p>" {
		t.Errorf("server settings: %q %q %q %q", s.CheckSessionIFrame, s.LogoutRequestParams, s.PreserveTemplate, s.RestoreTemplate)
	}
	ds := oidcDirSettings(cfg.Main.Dir.OIDC)
	if !reflect.DeepEqual(ds.PassCookies, []string{"a", "b"}) || !ds.HideAccessToken {
		t.Errorf("dir settings: PassCookies %q HideAccessToken %v", ds.PassCookies, ds.HideAccessToken)
	}
	if ds := oidcDirSettings(loadConfig(t, "ServerName main.example\nListen 80\nOIDCPassCookies x\n").Main.Dir.OIDC); ds.HideAccessToken {
		t.Errorf("OIDCPassAccessToken defaults to On")
	}
}
