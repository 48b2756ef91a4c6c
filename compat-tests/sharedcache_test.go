package compattests

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache/cachetest"
	"github.com/oidcgate/oidcgate/internal/devop"
)

// lockedBuffer collects a process's standard error.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sharedCluster is two oidcgate processes on one configuration (their
// Listen comes from the environment) behind a load balancer the test
// steers, sharing one Redis or memcached, against the embedded
// development provider.
type sharedCluster struct {
	front   string // the balancer's URL: the one public host name
	target  atomic.Int32
	inst    [2]string // the instances' addresses
	logs    [2]*lockedBuffer
	backend chan http.Header
	store   *cachetest.Server
	op      *devop.Provider
}

func startSharedCluster(t *testing.T, kind string, storeDownAtStart bool) *sharedCluster {
	t.Helper()
	sc := &sharedCluster{backend: make(chan http.Header, 16)}
	var directives string
	switch kind {
	case "redis":
		sc.store = cachetest.Redis(t)
		directives = "OIDCCacheType redis\nOIDCRedisCacheServer " + sc.store.Addr + "\nOIDCRedisCacheTimeout 1\nOIDCRedisCacheConnectTimeout 1\n"
	case "memcache":
		sc.store = cachetest.Memcached(t)
		directives = "OIDCCacheType memcache\nOIDCMemCacheServers " + sc.store.Addr + "\n"
	}
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case sc.backend <- r.Header.Clone():
		default:
		}
		io.WriteString(w, "backend:"+r.URL.Path)
	}))
	t.Cleanup(be.Close)

	lbLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sc.front = "http://" + lbLn.Addr().String()
	opLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + opLn.Addr().String()
	op, err := devop.New(devop.Options{Issuer: issuer, Users: devop.DemoUsers(), AutoLogin: "zoe",
		Logger: slog.New(slog.DiscardHandler),
		Clients: []devop.Client{{ID: "client1", Secret: "s3cret", RedirectURIs: []string{sc.front + "/redirect_uri"},
			PostLogoutRedirectURIs: []string{sc.front + "/bye"}}}})
	if err != nil {
		t.Fatal(err)
	}
	sc.op = op
	opSrv := &httptest.Server{Listener: opLn, Config: &http.Server{Handler: codeReplayingOP(op)}}
	opSrv.Start()
	t.Cleanup(opSrv.Close)

	dir := t.TempDir()
	conf := filepath.Join(dir, "oidcgate.conf")
	if err := os.WriteFile(conf, []byte(`ServerName 127.0.0.1
Listen ${OIDCGATE_LISTEN}
ErrorLog /dev/stderr
OIDCProviderMetadataURL `+issuer+`/.well-known/openid-configuration
OIDCClientID client1
OIDCClientSecret s3cret
OIDCRedirectURI /redirect_uri
OIDCCryptoPassphrase shared-secret
`+directives+`<Location />
  AuthType openid-connect
  Require valid-user
  ProxyPass `+be.URL+`/
</Location>
<Location /redirect_uri>
  ProxyPass !
</Location>
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if storeDownAtStart {
		sc.store.Stop()
	}
	sc.inst, sc.logs = startOIDCGateInstances(t, dir, conf)
	// The balancer keeps the Host the browser used, as a real one does.
	lb := &http.Server{Handler: &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: "http", Host: sc.inst[sc.target.Load()]})
		r.Out.Host = r.In.Host
	}}}
	go lb.Serve(lbLn)
	t.Cleanup(func() { lb.Shutdown(context.Background()) })
	return sc
}

// codeReplayingOP is a provider that redeems an authorization code twice,
// answering the second token request with the first answer (the same
// id_token, the same nonce), so that a replayed callback reaches the
// relying party's nonce check.
func codeReplayingOP(op http.Handler) http.Handler {
	var mu sync.Mutex
	seen := map[string]*httptest.ResponseRecorder{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/token") {
			op.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		form, _ := url.ParseQuery(string(body))
		code := form.Get("code")
		mu.Lock()
		rec := seen[code]
		if rec == nil {
			rec = httptest.NewRecorder()
			op.ServeHTTP(rec, r)
			if code != "" {
				seen[code] = rec
			}
		}
		mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// to sends the next requests to instance i (0 is A, 1 is B).
func (sc *sharedCluster) to(i int) { sc.target.Store(int32(i)) }

func (sc *sharedCluster) lastBackendHeader(t *testing.T) http.Header {
	t.Helper()
	select {
	case h := <-sc.backend:
		return h
	case <-time.After(5 * time.Second):
		t.Fatal("the backend saw no request")
		return nil
	}
}

// browserClient follows redirects (and keeps cookies) unless follow is
// false.
func browserClient(t *testing.T, follow bool) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

func fetch(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// TestSharedSessionStore runs two oidcgate instances on one Redis (then
// one memcached): a session made on one is used and ended on the other,
// and a login started on one is completed on the other.
func TestSharedSessionStore(t *testing.T) {
	for _, kind := range []string{"redis", "memcache"} {
		t.Run(kind, func(t *testing.T) {
			sc := startSharedCluster(t, kind, false)
			const A, B = 0, 1

			// log in through A
			c := browserClient(t, true)
			sc.to(A)
			if resp, body := fetch(t, c, sc.front+"/app/a"); resp.StatusCode != 200 || body != "backend:/app/a" {
				t.Fatalf("login on A: %d %q\nA: %s", resp.StatusCode, body, sc.logs[A])
			}
			if got := sc.lastBackendHeader(t).Get("OIDC_CLAIM_email"); got != "zoe@example.com" {
				t.Fatalf("backend behind A: OIDC_CLAIM_email %q", got)
			}
			// the session works on B
			sc.to(B)
			if resp, body := fetch(t, c, sc.front+"/app/b"); resp.StatusCode != 200 || body != "backend:/app/b" {
				t.Fatalf("session on B: %d %q\nB: %s", resp.StatusCode, body, sc.logs[B])
			}
			if got := sc.lastBackendHeader(t).Get("OIDC_CLAIM_email"); got != "zoe@example.com" {
				t.Fatalf("backend behind B: OIDC_CLAIM_email %q", got)
			}
			// log out on B: A no longer knows the session
			nc := browserClient(t, false)
			nc.Jar = c.Jar
			if resp, _ := fetch(t, nc, sc.front+"/redirect_uri?logout="+url.QueryEscape(sc.front+"/bye")); resp.StatusCode >= 400 {
				t.Fatalf("logout on B: %d\nB: %s", resp.StatusCode, sc.logs[B])
			}
			sc.to(A)
			resp, _ := fetch(t, nc, sc.front+"/app/after-logout")
			if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || !strings.Contains(loc, "/authorize") {
				t.Fatalf("A after logout on B: %d %q, want a login redirect", resp.StatusCode, loc)
			}

			// a back-channel logout received by B ends the session on A
			c4 := browserClient(t, true)
			sc.to(A)
			if resp, _ := fetch(t, c4, sc.front+"/app/bc"); resp.StatusCode != 200 {
				t.Fatalf("login for back-channel logout on A: %d", resp.StatusCode)
			}
			sc.lastBackendHeader(t)
			lt, err := sc.op.LogoutToken("client1", "zoe", "")
			if err != nil {
				t.Fatal(err)
			}
			sc.to(B)
			bresp, err := http.Post(sc.front+"/redirect_uri?logout=backchannel", "application/x-www-form-urlencoded", strings.NewReader("logout_token="+lt))
			if err != nil {
				t.Fatal(err)
			}
			bresp.Body.Close()
			if bresp.StatusCode != 200 {
				t.Fatalf("back-channel logout on B: %d\nB: %s", bresp.StatusCode, sc.logs[B])
			}
			sc.to(A)
			c4.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			if resp, _ := fetch(t, c4, sc.front+"/app/bc2"); resp.StatusCode != 302 {
				t.Fatalf("A after a back-channel logout received by B: %d, want a login redirect", resp.StatusCode)
			}

			// a login started on A (state cookie) completed by B
			c2 := browserClient(t, false)
			sc.to(A)
			resp, _ = fetch(t, c2, sc.front+"/app/start")
			authz := resp.Header.Get("Location")
			if resp.StatusCode != 302 || authz == "" {
				t.Fatalf("A: %d, no redirect to the provider", resp.StatusCode)
			}
			resp, _ = fetch(t, c2, authz)
			callback := resp.Header.Get("Location")
			if !strings.HasPrefix(callback, sc.front+"/redirect_uri?") {
				t.Fatalf("provider: %d %q", resp.StatusCode, callback)
			}
			stateCookies := c2.Jar.Cookies(mustURL(sc.front))
			sc.to(B)
			resp, _ = fetch(t, c2, callback)
			if resp.StatusCode != 302 || !strings.HasSuffix(resp.Header.Get("Location"), "/app/start") {
				t.Fatalf("callback on B: %d %q\nB: %s", resp.StatusCode, resp.Header.Get("Location"), sc.logs[B])
			}
			if resp, body := fetch(t, c2, sc.front+"/app/start"); resp.StatusCode != 200 || body != "backend:/app/start" {
				t.Fatalf("after the callback on B: %d %q", resp.StatusCode, body)
			}
			sc.lastBackendHeader(t)
			sc.to(A)
			if resp, _ := fetch(t, c2, sc.front+"/app/again"); resp.StatusCode != 200 {
				t.Fatalf("session made by B's callback, on A: %d", resp.StatusCode)
			}
			sc.lastBackendHeader(t)

			// the same callback replayed on A (with the state cookie it
			// came with, and a provider that redeems the code again) makes
			// no session: the nonce B stored is found by A
			c3 := browserClient(t, false)
			c3.Jar.SetCookies(mustURL(sc.front), stateCookies)
			resp, body := fetch(t, c3, callback)
			for _, ck := range c3.Jar.Cookies(mustURL(sc.front)) {
				if ck.Name == "mod_auth_openidc_session" {
					t.Fatalf("replayed callback on A: %d and a session cookie", resp.StatusCode)
				}
			}
			if !strings.Contains(body, "Error") || !strings.Contains(sc.logs[A].String(), "nonce was already used") {
				t.Fatalf("replayed callback on A: %d %q\nA: %s", resp.StatusCode, body, sc.logs[A])
			}
		})
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestSharedStoreOutage: the store down when the instances start, then
// hanging and stopped in the middle of traffic. Each time a clear log
// line, 500 for the requests that need the store, and recovery without a
// restart.
func TestSharedStoreOutage(t *testing.T) {
	for _, kind := range []string{"redis", "memcache"} {
		t.Run(kind, func(t *testing.T) {
			sc := startSharedCluster(t, kind, true)
			const A, B = 0, 1
			waitLog := func(i int, s string) {
				t.Helper()
				deadline := time.Now().Add(10 * time.Second)
				for !strings.Contains(sc.logs[i].String(), s) {
					if time.Now().After(deadline) {
						t.Fatalf("instance %d did not log %q:\n%s", i, s, sc.logs[i])
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			waitLog(A, "is unavailable")
			waitLog(B, "is unavailable")
			c := browserClient(t, true)
			sc.to(A)
			if resp, _ := fetch(t, c, sc.front+"/app/down"); resp.StatusCode != 500 {
				t.Fatalf("store down: %d, want 500", resp.StatusCode)
			}
			sc.store.Start()
			if resp, body := fetch(t, c, sc.front+"/app/up"); resp.StatusCode != 200 || body != "backend:/app/up" {
				t.Fatalf("store up: %d %q\nA: %s", resp.StatusCode, body, sc.logs[A])
			}
			sc.lastBackendHeader(t)
			waitLog(A, "reachable again")

			// hanging in the middle of traffic: 500 on B, the session
			// survives
			sc.store.Pause()
			sc.to(B)
			start := time.Now()
			if resp, _ := fetch(t, c, sc.front+"/app/hang"); resp.StatusCode != 500 {
				t.Fatalf("store hanging: %d, want 500", resp.StatusCode)
			}
			t.Logf("%s hanging: 500 after %v", kind, time.Since(start).Round(time.Millisecond))
			sc.store.Resume()
			if resp, _ := fetch(t, c, sc.front+"/app/resumed"); resp.StatusCode != 200 {
				t.Fatalf("store resumed: %d", resp.StatusCode)
			}
			sc.lastBackendHeader(t)

			// stopped: 500 at once; restarted (empty): a new login
			sc.store.Stop()
			start = time.Now()
			if resp, _ := fetch(t, c, sc.front+"/app/stopped"); resp.StatusCode != 500 {
				t.Fatalf("store stopped: %d, want 500", resp.StatusCode)
			}
			t.Logf("%s stopped: 500 after %v", kind, time.Since(start).Round(time.Millisecond))
			sc.store.Start()
			sc.to(A)
			if resp, _ := fetch(t, c, sc.front+"/app/restarted"); resp.StatusCode != 200 {
				t.Fatalf("store restarted: %d\nA: %s", resp.StatusCode, sc.logs[A])
			}
			sc.lastBackendHeader(t)
		})
	}
}
