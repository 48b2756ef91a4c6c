package compattests

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/oidcgate/oidcgate/cache/cachetest"
)

// TestRefreshSharedRedisOP: two oidcgate instances on one configuration
// share one real Redis (OIDCCacheType redis; and memcached) behind a
// balancer, in front
// of the real provider, whose client "oidcgate-short-at" rotates the
// refresh token on every grant and refuses a spent one (revoking the
// grant). One browser's parallel requests in the refresh window, split
// across both instances, refresh once: exactly one refresh_token grant
// reaches the provider and it accepts it, and every request is answered
// 200 with the new access token at the backend — in two windows in a row
// (the second with the rotated refresh token), with server-side sessions
// and with client-cookie sessions. This is current upstream's refresh lock
// in the shared cache; 2.4.12.3 has none.
func TestRefreshSharedRedisOP(t *testing.T) {
	requireOP(t)
	for _, tc := range []struct {
		store        string
		clientCookie bool
	}{{"redis", false}, {"redis", true}, {"memcache", false}} {
		name := tc.store + "/server-side"
		if tc.clientCookie {
			name = tc.store + "/client-cookie"
		}
		t.Run(name, func(t *testing.T) { refreshSharedStore(t, tc.store, tc.clientCookie) })
	}
}

func refreshSharedStore(t *testing.T, kind string, clientCookie bool) {
	var cacheConf string
	if kind == "redis" {
		cacheConf = "OIDCCacheType redis\nOIDCRedisCacheServer " + cachetest.Redis(t).Addr + "\n"
	} else {
		cacheConf = "OIDCCacheType memcache\nOIDCMemCacheServers " + cachetest.Memcached(t).Addr + "\n"
	}
	be := newClaimBackend(t)
	lbLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	front := "http://" + lbLn.Addr().String()
	op := startOP(t, front+"/redirect_uri")
	sessionType := ""
	if clientCookie {
		sessionType = "OIDCSessionType client-cookie\n"
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "oidcgate.conf")
	if err := os.WriteFile(conf, []byte(`ServerName 127.0.0.1
Listen ${OIDCGATE_LISTEN}
ErrorLog /dev/stderr
LogLevel warn auth_openidc:info
OIDCProviderMetadataURL `+op.Issuer+`/.well-known/openid-configuration
OIDCClientID oidcgate-short-at
OIDCClientSecret secret
OIDCRedirectURI /redirect_uri
OIDCCryptoPassphrase shared-secret
`+cacheConf+`OIDCRefreshAccessTokenBeforeExpiry 9 logout_on_error
`+sessionType+`<Location />
  AuthType openid-connect
  Require valid-user
  OIDCPassClaimsAs headers
  ProxyPass http://`+be.Addr()+`/
</Location>
<Location /redirect_uri>
  ProxyPass !
</Location>
`), 0o644); err != nil {
		t.Fatal(err)
	}
	inst, logs := startOIDCGateInstances(t, dir, conf)
	// The balancer sends to instance pin, or round robin when pin is -1;
	// sent counts what each instance got.
	var pin, next atomic.Int32
	var sent [2]atomic.Int32
	lb := &http.Server{Handler: &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		i := pin.Load()
		if i < 0 {
			i = (next.Add(1) - 1) % 2
		}
		sent[i].Add(1)
		r.SetURL(&url.URL{Scheme: "http", Host: inst[i]})
		r.Out.Host = r.In.Host
	}}}
	go lb.Serve(lbLn)
	t.Cleanup(func() { lb.Shutdown(context.Background()) })
	defer func() {
		if t.Failed() {
			t.Logf("A:\n%s\nB:\n%s", logs[0], logs[1])
		}
	}()

	c := newBrowser(t)
	hops := login(t, c, front+"/par", "alice", op.Issuer)
	last := hops[len(hops)-1]
	at, exp := backendToken(last.Body)
	if last.Status != 200 || at == "" {
		t.Fatalf("login through A ends with %d, access token %q", last.Status, at)
	}
	pin.Store(1)
	if h := do(t, c, "GET", front+"/par/b", nil, browserHdr); h.Status != 200 {
		t.Fatalf("the session on B: %d, want 200", h.Status)
	}
	refreshGrants(t, op) // the login's
	pin.Store(-1)
	var prevRT string
	for window := 1; window <= 2; window++ {
		waitRefreshWindow(t, exp)
		before := [2]int32{sent[0].Load(), sent[1].Load()}
		rs := fireParallel(c, front, parallelN)
		gs := refreshGrants(t, op)
		split := [2]int32{sent[0].Load() - before[0], sent[1].Load() - before[1]}
		t.Logf("refresh window %d, %d parallel requests (A %d, B %d): %s; %s", window, parallelN, split[0], split[1], summary(rs, at), grantsString(gs))
		if split[0] == 0 || split[1] == 0 {
			t.Fatalf("window %d: the balancer sent A %d and B %d requests, want both some", window, split[0], split[1])
		}
		if len(gs) != 1 || gs[0].Status != 200 {
			t.Errorf("window %d: %s, want exactly one, accepted", window, grantsString(gs))
		}
		if window == 2 && len(gs) == 1 && gs[0].RefreshToken == prevRT {
			t.Errorf("window 2 sent window 1's refresh token, not the rotated one")
		}
		newAT, newExp := "", int64(0)
		for _, r := range rs {
			if r.AT != "" && r.AT != at && r.Exp > newExp {
				newAT, newExp = r.AT, r.Exp
			}
		}
		for i, r := range rs {
			if r.Err != nil || r.Status != 200 || r.AT != newAT || newAT == "" {
				t.Errorf("window %d, request %d: %v %d, the refreshed access token at the backend: %v", window, i, r.Err, r.Status, r.AT == newAT && newAT != "")
			}
		}
		if newAT == "" {
			t.Fatalf("no request of window %d passed a refreshed access token", window)
		}
		if len(gs) > 0 {
			prevRT = gs[0].RefreshToken
		}
		at, exp = newAT, newExp
	}
}
