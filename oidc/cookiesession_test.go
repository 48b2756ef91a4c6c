package oidc

import (
	"compress/zlib"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const sessCookie = "mod_auth_openidc_session"

// jar is the Cookie header a browser sends after the Set-Cookie lines
// sets: the session cookie and its chunks that were given a value.
func jar(sets []string) string {
	var parts []string
	for _, s := range sets {
		nv, _, _ := strings.Cut(s, ";")
		name, v, _ := strings.Cut(nv, "=")
		if v != "" && strings.HasPrefix(name, sessCookie) {
			parts = append(parts, name+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}

// cookieLogin runs the login flow and returns the callback's response.
func (h *harness) cookieLogin(target string) response {
	h.t.Helper()
	first := h.do("GET", target, nil)
	if first.res.Status != http.StatusFound {
		h.t.Fatalf("login start: status %d, want 302", first.res.Status)
	}
	state := mustQuery(h.t, first.res.Location).Get("state")
	stateCookie, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	code := h.op.grant(first.res.Location)
	return h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + stateCookie})
}

func clientCookie(edit func(*Settings)) func(*Settings) {
	return func(s *Settings) {
		s.ClientCookieSession = true
		s.SessionCookieChunkSize = 4000
		s.PassIDTokenAs = []string{"claims", "serialized"}
		if edit != nil {
			edit(s)
		}
	}
}

func TestClientCookieSession(t *testing.T) {
	h := newHarness(t, clientCookie(nil))
	cb := h.cookieLogin("/app")
	if cb.res.Status != http.StatusFound {
		t.Fatalf("callback: status %d", cb.res.Status)
	}
	v, line, ok := cookieValue(cb.sets, sessCookie)
	if !ok || line != sessCookie+"="+v+"; Path=/; HttpOnly" {
		t.Fatalf("session cookie %q", line)
	}
	// A compact JWE, dir/A256GCM.
	parts := strings.Split(v, ".")
	if len(parts) != 5 || parts[1] != "" {
		t.Fatalf("session cookie %q is no compact JWE with direct encryption", v)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var jh map[string]any
	if json.Unmarshal(hdr, &jh) != nil || jh["alg"] != "dir" || jh["enc"] != "A256GCM" {
		t.Errorf("JWE header %s", hdr)
	}
	if _, _, chunked := cookieValue(cb.sets, sessCookie+"_chunks"); chunked {
		t.Errorf("small session chunked: %q", cb.sets)
	}
	ck := map[string]string{"Cookie": sessCookie + "=" + v}
	r := h.do("GET", "/app/x", ck)
	if !r.res.Authenticated || first(r.req.Header["OIDC_CLAIM_email"]) != "alice@example.com" {
		t.Fatalf("authenticated request: status %d headers %v", r.res.Status, r.req.Header)
	}
	// Without :store_id_token the raw id_token is not kept.
	if got := first(r.req.Header["OIDC_id_token"]); got != "" {
		t.Errorf("OIDC_id_token %q without :store_id_token", got)
	}
	// The idle timer slides: a new sealed cookie.
	h.advance(61 * time.Second)
	r = h.do("GET", "/", ck)
	nv, _, ok := cookieValue(r.sets, sessCookie)
	if !r.res.Authenticated || !ok || nv == "" || nv == v {
		t.Fatalf("sliding renewal: %q", r.sets)
	}
	// Tampered: no session.
	bad := nv[:len(nv)-3] + "AAA"
	if r := h.do("GET", "/", map[string]string{"Cookie": sessCookie + "=" + bad}); r.res.Authenticated || r.res.Status != http.StatusFound {
		t.Errorf("tampered cookie: status %d", r.res.Status)
	}
	// Logout: no id_token_hint, the cookie deleted.
	ck = map[string]string{"Cookie": sessCookie + "=" + nv}
	r = h.do("GET", "/redirect_uri?logout=%2Fbye", ck)
	if r.res.Status != http.StatusFound || strings.Contains(r.res.Location, "id_token_hint") || !strings.HasPrefix(r.res.Location, h.op.issuer+"/logout?") {
		t.Errorf("logout: %d %q", r.res.Status, r.res.Location)
	}
	if _, line, ok := cookieValue(r.sets, sessCookie); !ok || !strings.Contains(line, "=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT") {
		t.Errorf("session cookie not deleted: %q", r.sets)
	}
	// Idle timeout.
	h.advance(301 * time.Second)
	if r := h.do("GET", "/", ck); r.res.Authenticated {
		t.Errorf("expired client-cookie session accepted")
	}
}

func TestClientCookieStoreIDTokenAndPersistent(t *testing.T) {
	h := newHarness(t, clientCookie(func(s *Settings) { s.CookieStoreIDToken, s.PersistentCookie = true, true }))
	cb := h.cookieLogin("/")
	v, line, _ := cookieValue(cb.sets, sessCookie)
	want := "; Path=/; Expires=" + h.clock().Add(300*time.Second).UTC().Format(http.TimeFormat) + "; HttpOnly"
	if line != sessCookie+"="+v+want {
		t.Errorf("persistent cookie %q, want Expires = inactivity expiry", line)
	}
	ck := map[string]string{"Cookie": sessCookie + "=" + v}
	r := h.do("GET", "/", ck)
	if got := first(r.req.Header["OIDC_id_token"]); strings.Count(got, ".") != 2 {
		t.Errorf("OIDC_id_token %q with :store_id_token", got)
	}
	r = h.do("GET", "/redirect_uri?logout=%2Fbye", ck)
	if !strings.Contains(r.res.Location, "id_token_hint=") {
		t.Errorf("logout without id_token_hint: %q", r.res.Location)
	}
}

// bigUserInfo makes a session of well over 4000 bytes (incompressible).
func bigUserInfo(op *fakeOP, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	big := hex.EncodeToString(b)
	op.userinfo = json.RawMessage(`{"sub":"248289761001","blob":"` + big + `"}`)
	return big
}

func TestClientCookieChunked(t *testing.T) {
	h := newHarness(t, clientCookie(nil))
	big := bigUserInfo(h.op, 6000)
	cb := h.cookieLogin("/")
	if cb.res.Status != http.StatusFound {
		t.Fatalf("callback: %d", cb.res.Status)
	}
	cnt, _, ok := cookieValue(cb.sets, sessCookie+"_chunks")
	n, _ := strconv.Atoi(cnt)
	if !ok || n < 3 {
		t.Fatalf("chunk count %q in %q", cnt, cb.sets)
	}
	total := 0
	for i := 0; i < n; i++ {
		v, line, ok := cookieValue(cb.sets, fmt.Sprintf("%s_%d", sessCookie, i))
		if !ok || v == "" || len(v) > 4000 || line != fmt.Sprintf("%s_%d=%s; Path=/; HttpOnly", sessCookie, i, v) {
			t.Fatalf("chunk %d: %q", i, line)
		}
		if i < n-1 && len(v) != 4000 {
			t.Errorf("chunk %d is %d bytes, want 4000", i, len(v))
		}
		total += len(v)
	}
	if total <= (n-1)*4000 {
		t.Errorf("empty trailing chunk: %d bytes in %d chunks", total, n)
	}
	if _, _, ok := cookieValue(cb.sets, fmt.Sprintf("%s_%d", sessCookie, n)); ok {
		t.Errorf("chunk %d set", n)
	}
	if v, line, ok := cookieValue(cb.sets, sessCookie); !ok || v != "" || !strings.Contains(line, "Expires=Thu, 01 Jan 1970") {
		t.Errorf("main cookie not deleted: %q", line)
	}
	all := jar(cb.sets)
	r := h.do("GET", "/", map[string]string{"Cookie": all})
	if !r.res.Authenticated || first(r.req.Header["OIDC_CLAIM_blob"]) != big {
		t.Fatalf("chunked session not read back: status %d", r.res.Status)
	}
	if len(r.sets) != 0 {
		t.Errorf("cookies right after login: %q", r.sets)
	}

	// Missing chunks and bogus counts: no session, a new login.
	var without1 []string
	for _, p := range strings.Split(all, "; ") {
		if !strings.HasPrefix(p, sessCookie+"_1=") {
			without1 = append(without1, p)
		}
	}
	var chunkPairs []string
	for _, p := range strings.Split(all, "; ") {
		if !strings.HasPrefix(p, sessCookie+"_chunks=") {
			chunkPairs = append(chunkPairs, p)
		}
	}
	for name, hdr := range map[string]string{
		"missing chunk": strings.Join(without1, "; "),
		"count 0":       strings.Join(chunkPairs, "; ") + "; " + sessCookie + "_chunks=0",
		"negative":      strings.Join(chunkPairs, "; ") + "; " + sessCookie + "_chunks=-1",
		"too many":      strings.Join(chunkPairs, "; ") + "; " + sessCookie + "_chunks=100",
		"huge":          strings.Join(chunkPairs, "; ") + "; " + sessCookie + "_chunks=99999999999999999999999",
		"not a number":  strings.Join(chunkPairs, "; ") + "; " + sessCookie + "_chunks=3x",
		"one too few":   strings.Join(chunkPairs, "; ") + "; " + sessCookie + "_chunks=" + strconv.Itoa(n-1),
		"one too many":  strings.Join(chunkPairs, "; ") + "; " + sessCookie + "_chunks=" + strconv.Itoa(n+1),
		"no count":      strings.Join(chunkPairs, "; "),
	} {
		r := h.do("GET", "/", map[string]string{"Cookie": hdr})
		if r.res.Authenticated || r.res.Status != http.StatusFound {
			t.Errorf("%s: status %d authenticated %v", name, r.res.Status, r.res.Authenticated)
		}
	}

	// Logout deletes the main cookie, every chunk and the count.
	r = h.do("GET", "/redirect_uri?logout=%2Fbye", map[string]string{"Cookie": all})
	if r.res.Status != http.StatusFound {
		t.Fatalf("logout: %d", r.res.Status)
	}
	for i := 0; i <= n; i++ {
		name := fmt.Sprintf("%s_%d", sessCookie, i)
		if i == n {
			name = sessCookie + "_chunks"
		}
		if v, line, ok := cookieValue(r.sets, name); !ok || v != "" || !strings.Contains(line, "Expires=Thu, 01 Jan 1970 00:00:00 GMT") {
			t.Errorf("%s not deleted: %q", name, r.sets)
		}
	}
	if _, _, ok := cookieValue(r.sets, sessCookie); !ok {
		t.Errorf("main cookie not deleted: %q", r.sets)
	}
}

// A session that shrinks below the chunk size goes back to one cookie
// and the old chunks are deleted.
func TestClientCookieUnchunkDeletesChunks(t *testing.T) {
	h := newHarness(t, clientCookie(nil))
	bigUserInfo(h.op, 3000)
	cb := h.cookieLogin("/")
	all := jar(cb.sets)
	// Log in again with a small session, presenting the chunks.
	h.op.userinfo = nil
	start := h.do("GET", "/other", map[string]string{"Cookie": "x=1"})
	state := mustQuery(t, start.res.Location).Get("state")
	sc, _, _ := cookieValue(start.sets, "mod_auth_openidc_state_"+state)
	code := h.op.grant(start.res.Location)
	r := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": all + "; mod_auth_openidc_state_" + state + "=" + sc})
	v, _, ok := cookieValue(r.sets, sessCookie)
	if !ok || v == "" {
		t.Fatalf("no single session cookie: %q", r.sets)
	}
	for _, name := range []string{sessCookie + "_0", sessCookie + "_1", sessCookie + "_chunks"} {
		if cv, _, ok := cookieValue(r.sets, name); !ok || cv != "" {
			t.Errorf("%s not deleted: %q", name, r.sets)
		}
	}
}

func TestClientCookieTooManyChunks(t *testing.T) {
	h := newHarness(t, clientCookie(func(s *Settings) { s.SessionCookieChunkSize = 30 }))
	bigUserInfo(h.op, 3000)
	cb := h.cookieLogin("/")
	if cb.res.Status != http.StatusInternalServerError {
		t.Errorf("session over 99 chunks: status %d, want 500", cb.res.Status)
	}
	if _, _, ok := cookieValue(cb.sets, sessCookie+"_0"); ok {
		t.Errorf("chunks written: %q", cb.sets)
	}
}

func TestClientCookieChunkingOff(t *testing.T) {
	h := newHarness(t, clientCookie(func(s *Settings) { s.SessionCookieChunkSize = 0 }))
	bigUserInfo(h.op, 3000)
	cb := h.cookieLogin("/")
	v, _, ok := cookieValue(cb.sets, sessCookie)
	if !ok || len(v) < 4000 {
		t.Fatalf("unchunked big cookie: %d bytes", len(v))
	}
	if r := h.do("GET", "/", map[string]string{"Cookie": sessCookie + "=" + v}); !r.res.Authenticated {
		t.Errorf("unchunked session not read back")
	}
}

func TestClientCookieBoundToHostAndClient(t *testing.T) {
	h := newHarness(t, clientCookie(nil))
	cb := h.cookieLogin("/")
	v, _, _ := cookieValue(cb.sets, sessCookie)
	r := httptest.NewRequest("GET", "http://other.example.com/", nil)
	r.Header.Set("Cookie", sessCookie+"="+v)
	res := h.rp.Authenticate(httptest.NewRecorder(), &Request{HTTP: r, Path: "/", Dir: h.dir, Env: map[string]string{}, Scheme: "http", Host: "other.example.com"})
	if res.Status != http.StatusUnauthorized || res.Authenticated {
		t.Errorf("client-cookie session replayed on another host: status %d", res.Status)
	}
	// Another client with the same passphrase does not take it.
	s2 := *h.rp.s
	s2.ClientID = "client2"
	rp2, err := New(s2, h.rp.store, WithClock(h.clock), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	r = httptest.NewRequest("GET", "http://www.example.com/", nil)
	r.Header.Set("Cookie", sessCookie+"="+v)
	res = rp2.Authenticate(httptest.NewRecorder(), &Request{HTTP: r, Path: "/", Dir: h.dir, Env: map[string]string{}, Scheme: "http", Host: "www.example.com"})
	if res.Authenticated {
		t.Errorf("client-cookie session of client1 accepted by client2")
	}
}

// failingStore fails session writes (the "s:" section), as a cache that
// is down for them.
type failingStore struct {
	Store
	fail bool
}

func (f *failingStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if f.fail && strings.HasPrefix(key, keySession) {
		return errors.New("cache down")
	}
	return f.Store.Set(ctx, key, value, ttl)
}

func TestSessionCacheFallbackToCookie(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		t.Run(fmt.Sprint("fallback=", fallback), func(t *testing.T) {
			h := newHarness(t, func(s *Settings) {
				s.CacheFallbackToCookie = fallback
				s.SessionCookieChunkSize = 4000
			})
			fs := &failingStore{Store: h.rp.store, fail: true}
			rp, err := New(*h.rp.s, fs, WithClock(h.clock), WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatal(err)
			}
			h.rp = rp
			cb := h.cookieLogin("/")
			if !fallback {
				if cb.res.Status != http.StatusInternalServerError {
					t.Errorf("store down without fallback: status %d, want 500", cb.res.Status)
				}
				return
			}
			v, _, ok := cookieValue(cb.sets, sessCookie)
			if cb.res.Status != http.StatusFound || !ok || strings.Count(v, ".") != 4 {
				t.Fatalf("fallback: status %d cookie %q", cb.res.Status, v)
			}
			// Read back, also once the store works again.
			fs.fail = false
			r := h.do("GET", "/", map[string]string{"Cookie": sessCookie + "=" + v})
			if !r.res.Authenticated {
				t.Fatalf("fallback session not read back: %d %q", r.res.Status, r.sets)
			}
			// Server-cache sessions keep the id_token (store_id_token is
			// only off for client-cookie).
			r = h.do("GET", "/redirect_uri?logout=%2Fbye", map[string]string{"Cookie": sessCookie + "=" + v})
			if !strings.Contains(r.res.Location, "id_token_hint=") {
				t.Errorf("fallback session lost its id_token: %q", r.res.Location)
			}
			// A server session id still works as before.
			sess, _ := h.login("/")
			if len(sess) != 27 {
				t.Errorf("server session id %q", sess)
			}
			if r := h.do("GET", "/", map[string]string{"Cookie": sessCookie + "=" + sess}); !r.res.Authenticated {
				t.Errorf("server session with fallback on")
			}
			// An unknown id: no session, the cookie deleted.
			r = h.do("GET", "/", map[string]string{"Cookie": sessCookie + "=unknownunknownunknownunkno"})
			if r.res.Authenticated {
				t.Errorf("unknown id accepted")
			}
			if cv, _, ok := cookieValue(r.sets, sessCookie); !ok || cv != "" {
				t.Errorf("unknown id's cookie not deleted: %q", r.sets)
			}
		})
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// A refreshed access token goes into a new sealed cookie, which the next
// request reads.
func TestClientCookieRefresh(t *testing.T) {
	h := newHarness(t, clientCookie(nil))
	cb := h.cookieLogin("/")
	ck := map[string]string{"Cookie": jar(cb.sets)}
	h.dir.Refresh, h.dir.RefreshBeforeExpiry = true, 3599
	h.advance(2 * time.Second)
	r := h.do("GET", "/", ck)
	if got := first(r.req.Header["OIDC_access_token"]); got != "AT-2" || len(h.op.refreshForms) != 1 {
		t.Fatalf("access token %q after refresh (%d grants)", got, len(h.op.refreshForms))
	}
	v, _, ok := cookieValue(r.sets, sessCookie)
	if !ok || v == "" {
		t.Fatalf("refreshed session not re-sent: %q", r.sets)
	}
	r = h.do("GET", "/", map[string]string{"Cookie": sessCookie + "=" + v})
	if got := first(r.req.Header["OIDC_access_token"]); got != "AT-2" || len(h.op.refreshForms) != 1 {
		t.Errorf("access token %q from the re-sent cookie (%d grants)", got, len(h.op.refreshForms))
	}
}

// TestClientCookieRefreshAndSlide: a request that both refreshes the
// tokens and slides the inactivity timer sends a cookie carrying the new
// expiry, so the session lives a whole timeout after that request.
func TestClientCookieRefreshAndSlide(t *testing.T) {
	h := newHarness(t, clientCookie(nil))
	cb := h.cookieLogin("/")
	ck := map[string]string{"Cookie": jar(cb.sets)}
	h.dir.Refresh, h.dir.RefreshBeforeExpiry = true, 3599
	h.advance(61 * time.Second) // past the slide threshold (10 %, at most 60 s)
	r := h.do("GET", "/", ck)
	if len(h.op.refreshForms) != 1 || !r.res.Authenticated {
		t.Fatalf("refresh: %d grants, %+v", len(h.op.refreshForms), r.res)
	}
	n := 0
	for _, s := range r.sets {
		if strings.HasPrefix(s, sessCookie+"=") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d session cookies sent, want 1: %q", n, r.sets)
	}
	h.advance(250 * time.Second) // 311 s after the login, 250 s after the slide
	if r := h.do("GET", "/", map[string]string{"Cookie": jar(r.sets)}); !r.res.Authenticated {
		t.Errorf("session expired 250 s after it was slid (the cookie kept the old expiry): %+v", r.res)
	}
}

// TestOpenSessionRefuses: what a client-cookie session reader refuses —
// a value over the cookie bound, a compressed JWE, another key, a body
// that inflates past maxSessionPlain, one that is not zlib, another
// client's session — and that a well-formed one opens.
func TestOpenSessionRefuses(t *testing.T) {
	h := newHarness(t, clientCookie(nil))
	rp := h.rp
	zlibOf := func(b []byte) []byte {
		var z strings.Builder
		w := zlib.NewWriter(&z)
		w.Write(b)
		w.Close()
		return []byte(z.String())
	}
	sealWith := func(s *sealer, plain []byte, opts *jose.EncrypterOptions) string {
		enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.DIRECT, Key: s.key}, opts)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := enc.Encrypt(plain)
		if err != nil {
			t.Fatal(err)
		}
		v, err := obj.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	good := []byte(`{"cid":"client1","i":"id1","cd":"www.example.com"}`)
	if _, err := rp.openSession(sealWith(rp.seal, zlibOf(good), nil)); err != nil {
		t.Fatalf("a well-formed session does not open: %v", err)
	}
	huge := zlibOf([]byte(`{"cid":"client1","i":"id1","cd":"www.example.com","pad":"` + strings.Repeat("a", maxSessionPlain) + `"}`))
	for name, v := range map[string]string{
		"empty":                   "",
		"too long":                strings.Repeat("a", maxCookieSession+1),
		"compressed JWE":          sealWith(rp.seal, zlibOf(good), (&jose.EncrypterOptions{Compression: jose.DEFLATE})),
		"other key":               sealWith(newSealer("another passphrase"), zlibOf(good), nil),
		"inflates past the bound": sealWith(rp.seal, huge, nil),
		"not zlib":                sealWith(rp.seal, good, nil),
		"other client":            sealWith(rp.seal, zlibOf([]byte(`{"cid":"other","i":"id1","cd":"www.example.com"}`)), nil),
	} {
		if _, err := rp.openSession(v); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}

// TestClientCookieSameSite: a client-cookie session's cookie and every
// chunk get setSessionCookie's SameSite: Lax at the callback, Strict when
// a later request rewrites it (here: the inactivity timeout slides).
func TestClientCookieSameSite(t *testing.T) {
	h := newHarness(t, clientCookie(func(s *Settings) { s.CookieSameSite, s.SessionCookieChunkSize = true, 200 }))
	cb := h.cookieLogin("/")
	chunks := 0
	for _, line := range cb.sets {
		if strings.HasPrefix(line, sessCookie+"_") && !strings.HasPrefix(line, sessCookie+"_chunks") {
			chunks++
		}
		if strings.HasPrefix(line, sessCookie) && !strings.Contains(line, "SameSite=Lax") {
			t.Errorf("callback: %q without SameSite=Lax", line)
		}
	}
	if chunks < 2 {
		t.Fatalf("want a chunked session cookie, got %q", cb.sets)
	}
	h.advance(200 * time.Second)
	r := h.do("GET", "/", map[string]string{"Cookie": jar(cb.sets)})
	if len(r.sets) == 0 {
		t.Fatal("sliding the session sent no cookie")
	}
	for _, line := range r.sets {
		if strings.HasPrefix(line, sessCookie) && !strings.Contains(line, "SameSite=Strict") {
			t.Errorf("later request: %q without SameSite=Strict", line)
		}
	}
}

// TestCookieSessionDecodedOnce: the same client-cookie value is decoded
// once per relying party (the view is reused), every request gets its own
// copy of the session, and another relying party — another client, even
// with the same passphrase — does not open it from the first one's cache.
func TestCookieSessionDecodedOnce(t *testing.T) {
	h := newHarness(t, clientCookie(nil))
	cb := h.cookieLogin("/")
	v, ok := getChunkedCookie(http.Header{"Cookie": {jar(cb.sets)}}, sessCookie, 4000)
	if !ok {
		t.Fatalf("no session cookie in %q", cb.sets)
	}
	s1, err := h.rp.openSession(v)
	if err != nil {
		t.Fatal(err)
	}
	s1.RemoteUser = "changed by a request"
	s2, err := h.rp.openSession(v)
	if err != nil {
		t.Fatal(err)
	}
	if s1.view == nil || s1.view != s2.view {
		t.Error("the same cookie was decoded twice")
	}
	if s1 == s2 || s2.RemoteUser == "changed by a request" {
		t.Error("requests share one session value")
	}
	if r := h.do("GET", "/", map[string]string{"Cookie": jar(cb.sets)}); !r.res.Authenticated || r.res.Claims != s1.view.merged {
		t.Errorf("a request did not use the decoded session: %+v", r.res)
	}
	other := newHarness(t, clientCookie(func(s *Settings) { s.ClientID = "client2" }))
	other.rp.seal = h.rp.seal
	if _, err := other.rp.openSession(v); err == nil {
		t.Error("another client's relying party opened the session")
	}
}

// downStore is a shared store that goes down: setDown fails writes of
// sessions, getDown also reads.
type downStore struct {
	Store
	setDown, getDown bool
}

func (d *downStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if d.setDown && strings.HasPrefix(key, keySession) {
		return errors.New("cache down")
	}
	return d.Store.Set(ctx, key, value, ttl)
}

func (d *downStore) Get(ctx context.Context, key string) ([]byte, error) {
	if d.getDown && strings.HasPrefix(key, keySession) {
		return nil, errors.New("cache down")
	}
	return d.Store.Get(ctx, key)
}

// TestSessionCacheFallbackMidSession: with OIDCSessionCacheFallbackToCookie
// a server-cache session whose store stops taking writes mid-session
// becomes a client-cookie session when it is next saved (here: the
// inactivity timeout slides), and stays one — while the store is down and
// after it is back. A store that cannot even be read loses the server
// session (a new login, not an error).
func TestSessionCacheFallbackMidSession(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.CacheFallbackToCookie = true
		s.SessionCookieChunkSize = 4000
	})
	ds := &downStore{Store: h.rp.store}
	rp, err := New(*h.rp.s, ds, WithClock(h.clock), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	h.rp = rp
	id, _ := h.login("/")
	if len(id) != 27 {
		t.Fatalf("server session id %q", id)
	}
	ds.setDown = true
	h.advance(200 * time.Second) // the next request slides the session
	r := h.do("GET", "/", map[string]string{"Cookie": sessCookie + "=" + id})
	if !r.res.Authenticated {
		t.Fatalf("request while the store takes no writes: %d %q", r.res.Status, r.sets)
	}
	sealed, _, ok := cookieValue(r.sets, sessCookie)
	if !ok || strings.Count(sealed, ".") != 4 {
		t.Fatalf("the slid session did not fall back to a cookie: %q", r.sets)
	}
	user := r.res.User
	for _, state := range []struct {
		name             string
		setDown, getDown bool
	}{{"store down", true, true}, {"store back", false, false}} {
		ds.setDown, ds.getDown = state.setDown, state.getDown
		r = h.do("GET", "/", map[string]string{"Cookie": sessCookie + "=" + sealed})
		if !r.res.Authenticated || r.res.User != user {
			t.Errorf("%s: the fallback cookie session was not read: %d %q", state.name, r.res.Status, r.res.User)
		}
	}
	// A server session the store cannot read: log in again.
	id2, _ := h.login("/")
	ds.getDown = true
	r = h.do("GET", "/", map[string]string{"Cookie": sessCookie + "=" + id2})
	if r.res.Authenticated || r.res.Status != http.StatusFound {
		t.Errorf("unreadable server session: authenticated=%v status %d, want a new login (302)", r.res.Authenticated, r.res.Status)
	}
}
