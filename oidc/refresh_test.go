package oidc

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestClientCookieParallelRefresh: parallel requests carrying one
// client-cookie session in the refresh window refresh once — every copy of
// the cookie holds the same refresh token, and the others take the first
// grant's outcome — and each re-sends the refreshed session.
func TestClientCookieParallelRefresh(t *testing.T) {
	h := newHarness(t, clientCookie(nil))
	cb := h.cookieLogin("/")
	ck := map[string]string{"Cookie": jar(cb.sets)}
	h.dir.Refresh, h.dir.RefreshBeforeExpiry, h.dir.RefreshLogoutOnError = true, 3599, true
	h.advance(2 * time.Second)
	var wg sync.WaitGroup
	got := make([]response, 8)
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			got[i] = h.do("GET", "/", ck)
		}(i)
	}
	wg.Wait()
	if n := len(h.op.refreshForms); n != 1 {
		t.Errorf("%d refresh grants for 8 parallel requests, want 1", n)
	}
	for i, r := range got {
		if tok := first(r.req.Header["OIDC_access_token"]); !r.res.Authenticated || tok != "AT-2" {
			t.Errorf("request %d: authenticated %v, access token %q, want AT-2", i, r.res.Authenticated, tok)
		}
		if v, _, ok := cookieValue(r.sets, sessCookie); !ok || v == "" {
			t.Errorf("request %d did not re-send the refreshed session: %q", i, r.sets)
		}
	}
}

// TestRefreshOutcomeReused: a refresh token's failed grant is not retried
// within refreshCacheTTL (current upstream's refresh cache); after it, it
// is.
func TestRefreshOutcomeReused(t *testing.T) {
	h := newHarness(t, nil)
	sess, _ := h.login("/")
	h.dir.Refresh, h.dir.RefreshBeforeExpiry = true, 3599
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	h.advance(2 * time.Second)
	if r := h.do("GET", "/", ck); first(r.req.Header["OIDC_access_token"]) != "AT-2" || len(h.op.refreshForms) != 1 {
		t.Fatalf("first refresh: %d grants", len(h.op.refreshForms))
	}
	// The session now holds RT-2, which the fake provider refuses.
	h.advance(61 * time.Second)
	for i := 0; i < 3; i++ {
		if r := h.do("GET", "/", ck); !r.res.Authenticated {
			t.Fatalf("a failed refresh without logout_on_error ended the session")
		}
	}
	if n := len(h.op.refreshForms); n != 2 {
		t.Errorf("%d refresh grants, want 2: the failed one is not retried within %v", n, refreshCacheTTL)
	}
	h.advance(refreshCacheTTL)
	h.do("GET", "/", ck)
	if n := len(h.op.refreshForms); n != 3 {
		t.Errorf("%d refresh grants, want 3: retried after %v", n, refreshCacheTTL)
	}
	if rt := h.op.refreshForms[2].Get("refresh_token"); !strings.HasPrefix(rt, "RT-2") {
		t.Errorf("retry sent %q", rt)
	}
}

// TestRefreshNotPoisonedByGoneClient: the refresh grant's outcome is shared
// for refreshCacheTTL, so a request whose client has gone (its context
// cancelled) must still complete the grant — otherwise the cached failure
// would keep the session's other requests from refreshing.
func TestRefreshNotPoisonedByGoneClient(t *testing.T) {
	h := newHarness(t, nil)
	sess, _ := h.login("/")
	h.dir.Refresh, h.dir.RefreshBeforeExpiry = true, 3599
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	h.advance(2 * time.Second)
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	h.ctx = gone
	h.do("GET", "/", ck)
	h.ctx = nil
	if n := len(h.op.refreshForms); n != 1 {
		t.Fatalf("%d refresh grants for the gone client's request, want 1", n)
	}
	if r := h.do("GET", "/", ck); first(r.req.Header["OIDC_access_token"]) != "AT-2" {
		t.Errorf("next request's access token %q, want AT-2 (the grant failed with the first client's context)", first(r.req.Header["OIDC_access_token"]))
	}
}
