package proxy

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// OIDCSessionType and its companions reach the relying party's settings.
func TestOIDCSessionTypeSettings(t *testing.T) {
	for _, c := range []struct {
		conf                               string
		client, persistent, storeIDT, fall bool
		chunk                              int
	}{
		{conf: "", chunk: 4000},
		{conf: "OIDCSessionType server-cache:persistent", persistent: true, chunk: 4000},
		{conf: "OIDCSessionType client-cookie", client: true, chunk: 4000},
		{conf: "OIDCSessionType client-cookie:persistent", client: true, persistent: true, chunk: 4000},
		{conf: "OIDCSessionType client-cookie:store_id_token", client: true, storeIDT: true, chunk: 4000},
		{conf: "OIDCSessionType client-cookie:persistent:store_id_token", client: true, persistent: true, storeIDT: true, chunk: 4000},
		{conf: "OIDCSessionType client-cookie\nOIDCSessionCookieChunkSize 0", client: true},
		{conf: "OIDCSessionCookieChunkSize 2000\nOIDCSessionCacheFallbackToCookie On", chunk: 2000, fall: true},
	} {
		cfg := loadConfig(t, "ServerName main.example\nListen 80\n"+c.conf+"\n")
		s := oidcSettings(cfg.Main)
		if s.ClientCookieSession != c.client || s.PersistentCookie != c.persistent || s.CookieStoreIDToken != c.storeIDT ||
			s.CacheFallbackToCookie != c.fall || s.SessionCookieChunkSize != c.chunk {
			t.Errorf("%q: client %v persistent %v store_id_token %v fallback %v chunk %d", c.conf,
				s.ClientCookieSession, s.PersistentCookie, s.CookieStoreIDToken, s.CacheFallbackToCookie, s.SessionCookieChunkSize)
		}
	}
}

// A client-cookie session, chunked, through the whole server with a real
// cookie jar: login, an authenticated request, logout deleting the chunks.
func TestOIDCClientCookieSessionThroughProxy(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  Require valid-user", "OIDCSessionType client-cookie", "OIDCSessionCookieChunkSize 1000")
	c := browser(t)
	resp, body := get(t, c, s.front.URL+"/app", nil)
	if resp.StatusCode != 200 || body != "backend:/app" {
		t.Fatalf("after login: %d %q", resp.StatusCode, body)
	}
	r, _ := s.be.got()
	if got := r.Header.Values("OIDC_CLAIM_email"); len(got) != 1 || got[0] != "zoe@example.com" {
		t.Errorf("backend OIDC_CLAIM_email %q", got)
	}
	u, _ := url.Parse(s.front.URL)
	names := map[string]bool{}
	for _, ck := range c.Jar.Cookies(u) {
		names[ck.Name] = true
	}
	if !names["mod_auth_openidc_session_chunks"] || !names["mod_auth_openidc_session_0"] || !names["mod_auth_openidc_session_1"] || names["mod_auth_openidc_session"] {
		t.Fatalf("cookies in the jar: %v", names)
	}
	if resp, body = get(t, c, s.front.URL+"/again", nil); resp.StatusCode != 200 || body != "backend:/again" {
		t.Errorf("second request: %d %q", resp.StatusCode, body)
	}
	noRedirect := *c
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ = get(t, &noRedirect, s.front.URL+"/redirect_uri?logout=%2Fbye", nil)
	if resp.StatusCode != http.StatusFound || strings.Contains(resp.Header.Get("Location"), "id_token_hint") {
		t.Errorf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if left := c.Jar.Cookies(u); len(left) != 0 {
		t.Errorf("cookies left after logout: %v", left)
	}
}
