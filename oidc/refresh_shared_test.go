package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// secondInstance is another relying party with h's settings sharing h's
// store, provider and clock: a second oidcgate behind the same Redis.
func (h *harness) secondInstance() *harness {
	h.t.Helper()
	rp, err := New(*h.rp.s, h.rp.store, WithClock(h.clock), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		h.t.Fatal(err)
	}
	return &harness{t: h.t, op: h.op, rp: rp, dir: h.dir}
}

// refreshKey is the store key of refresh token rt's shared grant state.
func (h *harness) refreshKey(rt string) string {
	sum := sha256.Sum256([]byte(rt))
	return h.rp.key(keyRefresh, hex.EncodeToString(sum[:]))
}

// sharedRefreshHarness logs in with a client-cookie session (every copy of
// the cookie carries RT-1) against a provider that accepts a refresh
// token once, and returns the cookie header and a second instance.
func sharedRefreshHarness(t *testing.T) (h, h2 *harness, ck map[string]string) {
	h = newHarness(t, clientCookie(nil))
	h.op.spendOnce = true
	cb := h.cookieLogin("/")
	ck = map[string]string{"Cookie": jar(cb.sets)}
	h.dir.Refresh, h.dir.RefreshBeforeExpiry = true, 3599
	h.advance(2 * time.Second)
	return h, newInstance(h), ck
}

func newInstance(h *harness) *harness { return h.secondInstance() }

// holdFirst holds the first refresh grant at the provider: it closes
// arrived and waits for release; later grants pass.
func holdFirst(arrived, release chan struct{}) func() {
	var n atomic.Int32
	return func() {
		if n.Add(1) == 1 {
			close(arrived)
			<-release
		}
	}
}

// wantNewToken fails unless every response is authenticated with AT-2.
func wantNewToken(t *testing.T, got []response) {
	t.Helper()
	for i, r := range got {
		if tok := first(r.req.Header["OIDC_access_token"]); !r.res.Authenticated || tok != "AT-2" {
			t.Errorf("request %d: authenticated %v, access token %q, want AT-2", i, r.res.Authenticated, tok)
		}
	}
}

// TestSharedStoreRefreshOnce: while one instance's refresh grant is in
// flight, another instance sharing the store waits for it (polling the
// lock) instead of spending the refresh token a second time, and takes
// its outcome.
func TestSharedStoreRefreshOnce(t *testing.T) {
	t.Run("atomic-add", func(t *testing.T) { sharedRefreshOnce(t, false) })
	t.Run("set-and-read-back", func(t *testing.T) { sharedRefreshOnce(t, true) })
}

// storeWithoutAdd hides the store's Add: the best-effort lock.
type storeWithoutAdd struct{ Store }

func sharedRefreshOnce(t *testing.T, withoutAdd bool) {
	h, h2, ck := sharedRefreshHarness(t)
	if withoutAdd {
		h.rp.store = storeWithoutAdd{h.rp.store}
		h2.rp.store = h.rp.store
	}
	arrived, release := make(chan struct{}), make(chan struct{})
	h.op.onRefresh = holdFirst(arrived, release)
	waiting := make(chan struct{}, 1)
	h2.rp.refreshSleep = func(d time.Duration) {
		select {
		case waiting <- struct{}{}:
		default:
		}
		time.Sleep(d)
	}
	got := make([]response, 5)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); got[0] = h.do("GET", "/", ck) }()
	<-arrived
	var others sync.WaitGroup
	for i := 1; i < len(got); i++ {
		others.Add(1)
		go func(i int) { defer others.Done(); got[i] = h2.do("GET", "/", ck) }(i)
	}
	othersDone := make(chan struct{})
	go func() { others.Wait(); close(othersDone) }()
	// Release the first grant once the second instance waits for it (or,
	// when it does not wait, once its requests are done).
	select {
	case <-waiting:
	case <-othersDone:
	}
	close(release)
	wg.Wait()
	<-othersDone
	if n := len(h.op.refreshForms); n != 1 {
		t.Errorf("%d refresh grants from two instances, want 1", n)
	}
	wantNewToken(t, got)
}

// TestSharedStoreRefreshFailureShared: a refresh token whose grant failed
// on one instance is not sent again by another within refreshCacheTTL.
func TestSharedStoreRefreshFailureShared(t *testing.T) {
	h, h2, ck := sharedRefreshHarness(t)
	h.op.spent = map[string]bool{"RT-1": true}
	for _, x := range []*harness{h, h2, h2} {
		if r := x.do("GET", "/", ck); !r.res.Authenticated {
			t.Fatal("a failed refresh without logout_on_error ended the session")
		}
	}
	if n := len(h.op.refreshForms); n != 1 {
		t.Errorf("%d refresh grants, want 1: the other instance took the stored failure", n)
	}
	h.advance(refreshCacheTTL)
	h2.do("GET", "/", ck)
	if n := len(h.op.refreshForms); n != 2 {
		t.Errorf("%d refresh grants, want 2: retried after %v", n, refreshCacheTTL)
	}
}

// TestSharedStoreRefreshLostRace: two instances that both missed the lock
// both send the grant; the one the provider refuses finds the other's
// success in the store and uses it instead of failing (upstream's re-check
// before caching a failure).
func TestSharedStoreRefreshLostRace(t *testing.T) {
	h, h2, ck := sharedRefreshHarness(t)
	h.dir.RefreshLogoutOnError = true
	arrived, release := make(chan struct{}), make(chan struct{})
	h.op.onRefresh = holdFirst(arrived, release)
	var first response
	done := make(chan struct{})
	go func() { defer close(done); first = h.do("GET", "/", ck) }()
	<-arrived
	// The second instance did not see the first's lock.
	if err := h.rp.store.Delete(context.Background(), h.refreshKey("RT-1")); err != nil {
		t.Fatal(err)
	}
	second := h2.do("GET", "/", ck)
	close(release)
	<-done
	if n := len(h.op.refreshForms); n != 2 {
		t.Fatalf("%d refresh grants, want 2 (the race)", n)
	}
	wantNewToken(t, []response{first, second})
	// And the first instance's next request takes the stored success too.
	wantNewToken(t, []response{h.do("GET", "/", ck)})
}

// TestSharedStoreStaleLock: a lock left by an instance that died expires
// with its TTL; a request waits for it at most refreshLockTTL and then
// refreshes itself.
func TestSharedStoreStaleLock(t *testing.T) {
	h, _, ck := sharedRefreshHarness(t)
	h.rp.putRefresh(context.Background(), h.refreshKey("RT-1"), sharedRefresh{State: refreshLocked, Owner: "dead"}, refreshLockTTL)
	polls := 0
	h.rp.refreshSleep = func(d time.Duration) { polls++; h.advance(d) }
	wantNewToken(t, []response{h.do("GET", "/", ck)})
	if n := len(h.op.refreshForms); n != 1 || polls == 0 || polls > int(refreshLockTTL/refreshPoll) {
		t.Errorf("%d refresh grants after %d polls, want 1 after 1..%d", n, polls, int(refreshLockTTL/refreshPoll))
	}
}

// TestSharedStoreRefreshStored: the grant's outcome is in the store, under
// the refresh token's hash with its own prefix, for the other instances
// (the store layer encrypts it with OIDCCacheEncrypt, as every value).
func TestSharedStoreRefreshStored(t *testing.T) {
	h, _, ck := sharedRefreshHarness(t)
	wantNewToken(t, []response{h.do("GET", "/", ck)})
	v, ok := h.rp.getRefresh(context.Background(), h.refreshKey("RT-1"))
	if !ok || v.State != refreshOK || v.Tokens == nil || v.Tokens.AccessToken != "AT-2" || v.Tokens.RefreshToken != "RT-2" {
		t.Errorf("stored refresh outcome %+v, want ok with AT-2/RT-2", v)
	}
}

// TestSharedStoreLateSuccess: an instance that remembers its own failed
// grant still takes a success another instance stored afterwards (the
// store's lock is best effort, so the two grants can overlap).
func TestSharedStoreLateSuccess(t *testing.T) {
	h, _, ck := sharedRefreshHarness(t)
	h.op.spent = map[string]bool{"RT-1": true}
	if r := h.do("GET", "/", ck); first(r.req.Header["OIDC_access_token"]) != "AT-1" {
		t.Fatalf("refused grant: access token %q, want the old AT-1", first(r.req.Header["OIDC_access_token"]))
	}
	tr := refreshResponse{AccessToken: "AT-2", TokenType: "Bearer", ExpiresIn: "3600", RefreshToken: "RT-2"}
	h.rp.putRefresh(context.Background(), h.refreshKey("RT-1"), sharedRefresh{State: refreshOK, At: h.clock().UnixMilli(), Tokens: &tr}, refreshCacheTTL)
	wantNewToken(t, []response{h.do("GET", "/", ck)})
	if n := len(h.op.refreshForms); n != 1 {
		t.Errorf("%d refresh grants, want 1", n)
	}
}
