package proxy

import "testing"

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
