package oidc

import (
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache"
)

// TestRSIdentityNotStaleNorForeign: the identity values kept with a
// validated token are that token's (two tokens in turn), follow the
// directory's settings, and go with the token at its exp. Each check
// would fail if they were keyed by less than the token and the settings.
func TestRSIdentityNotStaleNorForeign(t *testing.T) {
	var mu sync.Mutex
	now := rsNow
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	store, err := cache.NewMemory(cache.MemoryOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	rs, err := NewResourceServer(RSSettings{SharedKeys: [][]byte{[]byte("k")}, ClaimPrefix: "OIDC_CLAIM_", ClaimDelimiter: ",",
		RemoteUserClaim: "sub"}, store, WithRSClock(clock), WithRSLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	alice := mintHS(t, []byte("k"), with(good(), "exp", rsNow.Add(time.Minute).Unix()))
	bob := mintHS(t, []byte("k"), with(with(good(), "sub", "bob"), "scope", "admin"))
	dir := &DirSettings{PassHeaders: true, PassEnv: true}
	do := func(tok string) rsOut {
		t.Helper()
		r := bearerReq(tok)
		r.Header.Set("Oidc_claim_sub", "mallory")
		env := map[string]string{}
		q := &Request{HTTP: r, Path: "/x", Env: env, Dir: dir}
		return rsOut{res: rs.Authenticate(q, &RSDir{}), req: r, env: env}
	}
	want := func(o rsOut, sub, scope, tok string) {
		t.Helper()
		if o.res.Status != 0 || o.res.User != sub {
			t.Fatalf("status %d user %q, want %q", o.res.Status, o.res.User, sub)
		}
		h := o.req.Header
		if first(h["OIDC_CLAIM_sub"]) != sub || first(h["OIDC_CLAIM_scope"]) != scope || first(h["OIDC_access_token"]) != tok {
			t.Errorf("headers %v, want sub %q scope %q and the token", h, sub, scope)
		}
		if o.env["OIDC_CLAIM_sub"] != sub || o.env["OIDC_access_token"] != tok {
			t.Errorf("environment %v, want sub %q and the token", o.env, sub)
		}
		if _, ok := h["Oidc_claim_sub"]; ok {
			t.Errorf("spoofed header survived: %v", h)
		}
	}
	for range 3 {
		want(do(alice), "alice", "read write", alice)
		want(do(bob), "bob", "admin", bob)
	}
	// Other settings, then back.
	dir.PassHeaders, dir.AuthNHeader = false, "X-Remote-User"
	o := do(bob)
	if _, ok := o.req.Header["OIDC_CLAIM_sub"]; ok || first(o.req.Header["X-Remote-User"]) != "bob" || o.env["OIDC_CLAIM_sub"] != "bob" {
		t.Errorf("OIDCPassClaimsAs environment with OIDCAuthNHeader: headers %v env %v", o.req.Header, o.env)
	}
	dir.PassHeaders, dir.AuthNHeader = true, ""
	o = do(bob)
	want(o, "bob", "admin", bob)
	if _, ok := o.req.Header["X-Remote-User"]; ok {
		t.Errorf("X-Remote-User of the other settings passed")
	}
	// Alice's token expires: refused, nothing passed.
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if o := do(alice); o.res.Status != http.StatusUnauthorized || o.req.Header["OIDC_CLAIM_sub"] != nil || o.env["OIDC_CLAIM_sub"] != "" {
		t.Errorf("expired token: status %d, headers %v, env %v", o.res.Status, o.req.Header, o.env)
	}
	want(do(bob), "bob", "admin", bob)
}

// TestRSIdentityApplyMatchesSetIdentity: the kept identity gives the
// headers and environment setting each value gives, for several settings
// and incoming headers.
func TestRSIdentityApplyMatchesSetIdentity(t *testing.T) {
	rs := newRS(t, RSSettings{SharedKeys: [][]byte{[]byte("k")}, ClaimPrefix: "", PassJSONHeader: "X-Identity"})
	tok := mintHS(t, []byte("k"), with(good(), "multi", "a\nb"))
	c, ent, err := rs.validate(t.Context(), rsEndpoints{}, tok, &RSDir{})
	if err != nil || ent == nil {
		t.Fatalf("validate: %v, entry %v", err, ent)
	}
	incoming := []http.Header{
		{},
		{"Sub": {"spoof"}, "X-Identity": {"spoof"}, "Accept": {"*/*"}},
		{"scope": {"spoof"}, "x-identity": {"spoof"}, "Cookie": {"a=b"}},
	}
	dirs := []DirSettings{
		{PassHeaders: true, PassEnv: true},
		{PassHeaders: true, AuthNHeader: "sub"},
		{PassEnv: true, AuthNHeader: "X-Remote-User"},
		{PassHeaders: true, PassEnv: true, PassEncoding: "base64url"},
	}
	for i, d := range dirs {
		for j, in := range incoming {
			run := func(fast bool) (http.Header, map[string]string) {
				x := &exchange{r: &http.Request{Header: in.Clone()}, q: &Request{Env: map[string]string{"KEEP": "1"}}, dir: &d}
				if fast {
					id := rs.tokenIdentity(x, ent, "alice", tok)
					if id == nil {
						t.Fatalf("dir %d: no kept identity", i)
					}
					id.apply(x)
				} else {
					rs.setIdentity(x, "alice", c, tok)
				}
				x.releaseIndex()
				return x.r.Header, x.q.Env
			}
			fh, fe := run(true)
			sh, se := run(false)
			if !reflect.DeepEqual(fh, sh) || !maps.Equal(fe, se) {
				t.Errorf("dir %d incoming %d:\n kept %v %v\n  set %v %v", i, j, fh, fe, sh, se)
			}
		}
	}
}
