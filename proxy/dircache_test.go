package proxy

import (
	"reflect"
	"testing"
)

// TestDirSettingsCache: the kept translation is oidcDirSettings' and
// rsDir's, per merged section, and every caller gets its own copy.
func TestDirSettingsCache(t *testing.T) {
	cfg := loadConfig(t, `ServerName a
OIDCOAuthVerifySharedKeys k
<Location /a>
  OIDCPassClaimsAs headers base64url
  OIDCAuthNHeader X-User
  OIDCOAuthAcceptTokenAs header cookie:tok
</Location>
<Location /b>
  OIDCUnAuthAction 401
  OIDCPassRefreshToken On
  AuthName realm-b
</Location>
`)
	w := NewSectionWalker(cfg.Main)
	var c dirSettingsCache
	for _, path := range []string{"/a", "/b", "/a", "/", "/b"} {
		dir := w.WalkProxied(path, "").Dir
		got := c.dirSettings(dir.OIDC)
		if want := oidcDirSettings(dir.OIDC); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: dirSettings %+v, want %+v", path, got, want)
		}
		got.PassHeaders, got.AuthNHeader, got.UnAuthAction = !got.PassHeaders, "changed", "changed"
		if again := c.dirSettings(dir.OIDC); reflect.DeepEqual(again, got) {
			t.Errorf("%s: a caller's change reached the kept settings", path)
		}
		rd := c.rsDir(dir)
		if want := rsDir(dir); !reflect.DeepEqual(rd, want) {
			t.Errorf("%s: rsDir %+v, want %+v", path, rd, want)
		}
		rd.AuthName = "changed"
		if again := c.rsDir(dir); again.AuthName == "changed" {
			t.Errorf("%s: a caller's change reached the kept rsDir", path)
		}
	}
	if len(c.ds) != 3 || len(c.rsd) != 3 {
		t.Errorf("kept %d and %d translations, want 3 each (one per merged section)", len(c.ds), len(c.rsd))
	}
}

// TestEnvSizeHint: the environment's preset size follows larger requests
// at once and smaller ones slowly, and stays bounded.
func TestEnvSizeHint(t *testing.T) {
	s := NewSite(loadConfig(t, "ServerName a\n"), nil, nil)
	defer s.Close()
	srv := s.cfg.Main
	env := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[string(rune('a'+i%26))+string(rune('A'+i/26))] = "v"
		}
		return m
	}
	hint := func() int32 { return s.envSizes[srv].Load() }
	s.envSize(srv, env(40))
	if hint() != 40 {
		t.Fatalf("after 40: %d", hint())
	}
	s.envSize(srv, env(0))
	if h := hint(); h != 38 {
		t.Errorf("one small request after 40: %d, want 38", h)
	}
	for range 200 {
		s.envSize(srv, env(2))
	}
	if h := hint(); h < 2 || h > 17 {
		t.Errorf("after many small requests: %d", h)
	}
	s.envSize(srv, env(500))
	if h := hint(); h != maxEnvHint {
		t.Errorf("after a huge one: %d, want %d", h, maxEnvHint)
	}
}
