package oidc

import (
	"net/http"
	"strings"
	"testing"
)

// TestCallbackSetsUser: the redirect-URI request that completes a login
// carries the new session's user, so the access log's %u names it there as
// Apache's does (measured: 2.4.12.3 logs "alice" for GET /redirect_uri?code=…;
// oidcgate logged "-").
func TestCallbackSetsUser(t *testing.T) {
	h := newHarness(t, nil)
	_, cb := h.login("/app/page")
	want := "248289761001@" + strings.TrimPrefix(h.op.issuer, "https://")
	if cb.res.Status != http.StatusFound || !cb.res.HasUser || cb.res.User != want {
		t.Errorf("callback: status %d, HasUser %v, User %q; want 302 and %q", cb.res.Status, cb.res.HasUser, cb.res.User, want)
	}
	if cb.res.Authenticated {
		t.Error("the callback's answer is the redirect, not an authenticated pass-through")
	}
}
