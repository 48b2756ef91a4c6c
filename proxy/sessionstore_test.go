package proxy

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache/cachetest"
	"github.com/oidcgate/oidcgate/internal/devop"
)

// syncBuffer is a log sink tests read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSessionStoreSpec(t *testing.T) {
	cfg := loadConfig(t, `OIDCCacheType redis
OIDCRedisCacheServer 10.0.0.1
OIDCRedisCachePassword pw
OIDCRedisCacheUsername u
OIDCRedisCacheDatabase 3
OIDCRedisCacheTimeout 2
OIDCCryptoPassphrase secret
`)
	sp, err := sessionStoreSpec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sp.Type != "redis" || sp.Redis.Addr != "10.0.0.1" || sp.Redis.Password != "pw" || sp.Redis.Username != "u" || sp.Redis.DB != 3 ||
		sp.Redis.Timeout != 2*time.Second || !sp.Encrypt || sp.Passphrase != "secret" || !sp.shared() {
		t.Fatalf("%+v", sp)
	}
	cfg = loadConfig(t, "OIDCCacheType memcache\nOIDCMemCacheServers \"a b:1\"\nOIDCCacheEncrypt Off\n")
	if sp, _ = sessionStoreSpec(cfg); sp.Type != "memcache" || sp.Memcache.Servers != "a b:1" || sp.Encrypt {
		t.Fatalf("%+v", sp)
	}
	cfg = loadConfig(t, "OIDCCacheShmMax 20\n")
	if sp, _ = sessionStoreSpec(cfg); sp.Type != "shm" || sp.Encrypt || sp.ShmMax != 20 || sp.shared() {
		t.Fatalf("%+v", sp)
	}
	cfg = loadConfig(t, "OIDCCacheType redis\n")
	if _, err := sessionStoreSpec(cfg); err == nil {
		t.Fatal("redis without a server accepted")
	}
}

// TestSessionStoreSpecInVirtualHost: with every mod_auth_openidc setting
// inside the <VirtualHost> (as Debian's 000-default.conf is usually
// written), that virtual host's OIDCCacheType chooses the store — it used
// to be ignored silently, leaving the sessions in memory, unshared.
func TestSessionStoreSpecInVirtualHost(t *testing.T) {
	cfg := loadConfig(t, `ServerName main.example
Listen 80
<VirtualHost *:80>
  ServerName other.example
</VirtualHost>
<VirtualHost *:80>
  ServerName app.example
  OIDCCacheType redis
  OIDCRedisCacheServer 10.0.0.2:6380
  OIDCCryptoPassphrase vhost-secret
</VirtualHost>
`)
	sp, err := sessionStoreSpec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sp.Type != "redis" || sp.Redis.Addr != "10.0.0.2:6380" || !sp.Encrypt || sp.Passphrase != "vhost-secret" {
		t.Fatalf("%+v", sp)
	}
	// The main server's setting wins over a virtual host's.
	cfg = loadConfig(t, "ServerName main.example\nListen 80\nOIDCCacheType memcache\nOIDCMemCacheServers m:11211\nOIDCCryptoPassphrase p\n"+
		"<VirtualHost *:80>\n  OIDCCacheType redis\n  OIDCRedisCacheServer r\n</VirtualHost>\n")
	if sp, _ = sessionStoreSpec(cfg); sp.Type != "memcache" || sp.Memcache.Servers != "m:11211" {
		t.Fatalf("%+v", sp)
	}
}

// A reload keeps the store (and its sessions) unless the store settings
// changed.
func TestSessionStoreKeptAcrossReloads(t *testing.T) {
	conf := "OIDCCacheType redis\nOIDCRedisCacheServer 127.0.0.1:1\nOIDCCryptoPassphrase x\n"
	s := NewServer(loadConfig(t, conf), nil, nil)
	defer s.CloseStore()
	first := s.store
	s.Reload(loadConfig(t, conf+"ServerName other\n"))
	if s.store != first {
		t.Fatal("store rebuilt on an unrelated change")
	}
	s.Reload(loadConfig(t, strings.Replace(conf, ":1", ":2", 1)))
	if s.store == first || s.storeSpec.Redis.Addr != "127.0.0.1:2" {
		t.Fatal("store not rebuilt when OIDCRedisCacheServer changed")
	}
}

// The store going away in the middle of traffic: requests that need it
// fail with 500 and a log line, cookies untouched; when it is back the
// same session works again (paused server) or a new login does
// (restarted, empty server); no goroutines are left behind.
func TestSharedStoreFaults(t *testing.T) {
	for _, kind := range []string{"redis", "memcache"} {
		t.Run(kind, func(t *testing.T) {
			var store *cachetest.Server
			var directives string
			if kind == "redis" {
				store = cachetest.Redis(t)
				directives = "OIDCCacheType redis\nOIDCRedisCacheServer " + store.Addr + "\nOIDCRedisCacheTimeout 1\nOIDCRedisCacheConnectTimeout 1\n"
			} else {
				store = cachetest.Memcached(t)
				directives = "OIDCCacheType memcache\nOIDCMemCacheServers " + store.Addr + "\n"
			}
			base := runtime.NumGoroutine()
			logs := &syncBuffer{}
			srv, fs := newStoreServer(t, directives, logs)
			front := fs.URL
			c := browser(t)

			if resp, body := get(t, c, front+"/app/1", nil); resp.StatusCode != 200 || body != "backend:/app/1" {
				t.Fatalf("login: %d %q", resp.StatusCode, body)
			}

			store.Pause()
			start := time.Now()
			resp, body := get(t, c, front+"/app/2", nil)
			if resp.StatusCode != 500 || !strings.Contains(body, "Internal Server Error") || len(resp.Header.Values("Set-Cookie")) != 0 {
				t.Fatalf("store paused: %d %v %q", resp.StatusCode, resp.Header, body)
			}
			t.Logf("%s paused: 500 after %v", kind, time.Since(start).Round(time.Millisecond))
			if !strings.Contains(logs.String(), "is unavailable") {
				t.Fatalf("no log line: %s", logs)
			}
			store.Resume()
			if resp, body := get(t, c, front+"/app/3", nil); resp.StatusCode != 200 || body != "backend:/app/3" {
				t.Fatalf("store resumed: %d %q", resp.StatusCode, body)
			}
			if !strings.Contains(logs.String(), "reachable again") {
				t.Fatalf("no recovery line: %s", logs)
			}

			store.Stop()
			start = time.Now()
			if resp, _ := get(t, c, front+"/app/4", nil); resp.StatusCode != 500 {
				t.Fatalf("store stopped: %d", resp.StatusCode)
			}
			t.Logf("%s stopped: 500 after %v", kind, time.Since(start).Round(time.Millisecond))
			store.Start()
			// the restarted store is empty: a new login, no restart of oidcgate
			if resp, body := get(t, c, front+"/app/5", nil); resp.StatusCode != 200 || body != "backend:/app/5" {
				t.Fatalf("store restarted: %d %q", resp.StatusCode, body)
			}

			if kind == "redis" {
				// connections after the faults: no more than the pool keeps
				if n := redisClients(t, store.Addr); n > 1+8 {
					t.Errorf("redis has %d clients after the faults", n)
				} else {
					t.Logf("redis clients after the faults: %d (this check's included)", n)
				}
			}
			fs.Close()
			srv.site.Load().Close()
			srv.CloseStore()
			c.CloseIdleConnections()
			// Nothing of the store's client is left running (the site's
			// private ristretto and idle HTTP connections are not the
			// store's).
			storeGoroutines := func() (n int, dump string) {
				buf := make([]byte, 1<<20)
				for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
					if strings.Contains(g, "go-redis") || strings.Contains(g, "gomemcache") || strings.Contains(g, "oidcgate/cache.") {
						n++
						dump += g + "\n\n"
					}
				}
				return n, dump
			}
			deadline := time.Now().Add(5 * time.Second)
			for n, _ := storeGoroutines(); n > 0 && time.Now().Before(deadline); n, _ = storeGoroutines() {
				time.Sleep(50 * time.Millisecond)
			}
			if n, dump := storeGoroutines(); n > 0 {
				t.Fatalf("%d store goroutines left:\n%s", n, dump)
			}
			t.Logf("goroutines: %d before, %d after", base, runtime.NumGoroutine())
		})
	}
}

// newStoreServer runs a Server (the store chosen by directives) in front
// of a backend recorder, against the development provider that logs zoe
// in at once.
func newStoreServer(t testing.TB, directives string, logs *syncBuffer) (*Server, *httptest.Server) {
	be := newRecorder(t)
	opLn, _ := net.Listen("tcp", "127.0.0.1:0")
	frontLn, _ := net.Listen("tcp", "127.0.0.1:0")
	issuer := "http://" + opLn.Addr().String()
	front := "http://" + frontLn.Addr().String()
	op, err := devop.New(devop.Options{Issuer: issuer, Users: devop.DemoUsers(), AutoLogin: "zoe",
		Logger:  slog.New(slog.DiscardHandler),
		Clients: []devop.Client{{ID: "client1", Secret: "s3cret", RedirectURIs: []string{front + "/redirect_uri"}}}})
	if err != nil {
		t.Fatal(err)
	}
	opSrv := &httptest.Server{Listener: opLn, Config: &http.Server{Handler: op}}
	opSrv.Start()
	t.Cleanup(opSrv.Close)
	cfg := loadConfig(t, `ServerName 127.0.0.1
OIDCProviderMetadataURL `+issuer+`/.well-known/openid-configuration
OIDCClientID client1
OIDCClientSecret s3cret
OIDCRedirectURI /redirect_uri
OIDCCryptoPassphrase secret
`+directives+`<Location />
  AuthType openid-connect
  Require valid-user
  ProxyPass http://`+be.srv.Listener.Addr().String()+`/
</Location>
<Location /redirect_uri>
  ProxyPass !
</Location>
`)
	var log *slog.Logger
	if logs != nil {
		log = slog.New(slog.NewTextHandler(logs, nil))
	}
	srv := NewServer(cfg, log, nil)
	fs := &httptest.Server{Listener: frontLn, Config: &http.Server{Handler: srv}}
	fs.Start()
	t.Cleanup(fs.Close)
	return srv, fs
}

// BenchmarkPipelineOIDCStores is BenchmarkPipelineOIDC through a Server
// with each session store (encrypted by default for redis and memcache).
func BenchmarkPipelineOIDCStores(b *testing.B) {
	for _, kind := range []string{"shm", "redis", "memcache", "redis-plain"} {
		b.Run(kind, func(b *testing.B) {
			directives := ""
			switch kind {
			case "redis", "redis-plain":
				directives = "OIDCCacheType redis\nOIDCRedisCacheServer " + cachetest.Redis(b).Addr + "\n"
				if kind == "redis-plain" {
					directives += "OIDCCacheEncrypt Off\n"
				}
			case "memcache":
				directives = "OIDCCacheType memcache\nOIDCMemCacheServers " + cachetest.Memcached(b).Addr + "\nOIDCMemCacheConnectionsHMax 64\n"
			}
			srv, fs := newStoreServer(b, directives, nil)
			defer srv.CloseStore()
			c := browser(b)
			if resp, _ := get(b, c, fs.URL+"/", nil); resp.StatusCode != 200 {
				b.Fatalf("login: %d", resp.StatusCode)
			}
			u, _ := url.Parse(fs.URL)
			cookie := ""
			for _, ck := range c.Jar.Cookies(u) {
				cookie = ck.Name + "=" + ck.Value
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("GET", fs.URL+"/x", nil)
					req.Header.Set("Cookie", cookie)
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			})
		})
	}
}

// redisClients is INFO clients' connected_clients.
func redisClients(t *testing.T, addr string) int {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("INFO clients\r\n"))
	buf := make([]byte, 4096)
	n, _ := conn.Read(buf)
	m := regexp.MustCompile(`connected_clients:(\d+)`).FindSubmatch(buf[:n])
	if m == nil {
		t.Fatalf("INFO clients: %q", buf[:n])
	}
	c, _ := strconv.Atoi(string(m[1]))
	return c
}

func TestStoreFaultWriter(t *testing.T) {
	for _, tc := range []struct {
		failed bool
		codes  []int
		want   int
	}{
		{false, []int{302}, 302},
		{true, []int{103, 302}, 500},
		{true, []int{200}, 500},
		{true, []int{502}, 502},
	} {
		rec := httptest.NewRecorder()
		f := &storeFault{}
		f.failed.Store(tc.failed)
		w := &storeFaultWriter{ResponseWriter: rec, f: f, r: httptest.NewRequest("GET", "/", nil)}
		w.Header().Set("Set-Cookie", "mod_auth_openidc_session=; Max-Age=0")
		for _, c := range tc.codes {
			w.WriteHeader(c)
		}
		w.Write([]byte("body"))
		if rec.Code != tc.want {
			t.Errorf("%+v: %d", tc, rec.Code)
		}
		if tc.want == 500 && (rec.Header().Get("Set-Cookie") != "" || !strings.Contains(rec.Body.String(), "Internal Server Error")) {
			t.Errorf("%+v: %v %q", tc, rec.Header(), rec.Body)
		}
	}
}
