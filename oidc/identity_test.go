package oidc

import (
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestIdentityNotStaleNorForeign: the identity values kept per decoded
// session are never another user's, never those of a session's earlier
// state (refresh, userinfo update, logout) and never those of other
// per-directory settings. Each check would fail if they were keyed by less
// than the stored session and the settings.
func TestIdentityNotStaleNorForeign(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.UserInfoRefresh = 30 * time.Second })
	h.op.userinfo = json.RawMessage(`{"sub":"248289761001","phone_number":"+1 555 0100"}`)
	alice, _ := h.login("/")
	h.op.mu.Lock()
	h.op.claims["email"] = "bob@example.com"
	h.op.mutate = func(c map[string]any) { c["sub"] = "bob-2" }
	h.op.mu.Unlock()
	bob, _ := h.login("/")
	ck := func(s string) map[string]string {
		return map[string]string{"Cookie": "mod_auth_openidc_session=" + s, "OIDC_CLAIM_email": "spoof", "oidc_claim_EMAIL": "spoof"}
	}
	want := func(r response, email, at, phone string) {
		t.Helper()
		if !r.res.Authenticated {
			t.Fatalf("not authenticated: status %d", r.res.Status)
		}
		if got := r.req.Header["OIDC_CLAIM_email"]; len(got) != 1 || got[0] != email {
			t.Errorf("OIDC_CLAIM_email %q, want %q", got, email)
		}
		if r.env["OIDC_CLAIM_email"] != email {
			t.Errorf("environment OIDC_CLAIM_email %q, want %q", r.env["OIDC_CLAIM_email"], email)
		}
		if got := first(r.req.Header["OIDC_access_token"]); got != at {
			t.Errorf("OIDC_access_token %q, want %q", got, at)
		}
		if got := first(r.req.Header["OIDC_CLAIM_phone_number"]); got != phone {
			t.Errorf("OIDC_CLAIM_phone_number %q, want %q", got, phone)
		}
		if _, ok := r.req.Header["Oidc_claim_email"]; ok {
			t.Errorf("a spoofed spelling of the claim header survived: %v", r.req.Header)
		}
	}
	// Two users, one after the other, several times.
	// (Bob's userinfo is refused: the provider's answer is for another
	// sub, so he has no phone number, and never Alice's.)
	for range 3 {
		want(h.do("GET", "/", ck(alice)), "alice@example.com", "AT-1", "+1 555 0100")
		want(h.do("GET", "/", ck(bob)), "bob@example.com", "AT-1", "")
	}
	// Settings of another directory, then back: each gets its own values.
	saved := *h.dir
	h.dir.PassHeaders = false
	h.dir.AuthNHeader = "X-Remote-User"
	r := h.do("GET", "/", ck(alice))
	if _, ok := r.req.Header["OIDC_CLAIM_email"]; ok || r.env["OIDC_CLAIM_email"] != "alice@example.com" {
		t.Errorf("OIDCPassClaimsAs environment: header %q, env %q", r.req.Header["OIDC_CLAIM_email"], r.env["OIDC_CLAIM_email"])
	}
	if got := first(r.req.Header["X-Remote-User"]); got == "" || got != r.res.User {
		t.Errorf("OIDCAuthNHeader %q", got)
	}
	*h.dir = saved
	r = h.do("GET", "/", ck(alice))
	want(r, "alice@example.com", "AT-1", "+1 555 0100")
	if _, ok := r.req.Header["X-Remote-User"]; ok {
		t.Errorf("X-Remote-User of the other directory's settings passed")
	}
	// The userinfo changes at the provider and is read again after the
	// interval: the new claim, not the kept one.
	h.op.mu.Lock()
	h.op.userinfo = json.RawMessage(`{"sub":"248289761001","phone_number":"+1 555 0199"}`)
	h.op.mu.Unlock()
	h.advance(31 * time.Second)
	want(h.do("GET", "/", ck(alice)), "alice@example.com", "AT-1", "+1 555 0199")
	want(h.do("GET", "/", ck(alice)), "alice@example.com", "AT-1", "+1 555 0199")
	// A refresh in one request: that request and the next ones pass the
	// new access token.
	h.dir.Refresh, h.dir.RefreshBeforeExpiry = true, 3599
	h.advance(2 * time.Second)
	r = h.do("GET", "/", ck(bob))
	if got := first(r.req.Header["OIDC_access_token"]); got != "AT-2" {
		t.Fatalf("refreshing request passed %q, want AT-2", got)
	}
	h.dir.Refresh = false
	want(h.do("GET", "/", ck(bob)), "bob@example.com", "AT-2", "")
	want(h.do("GET", "/", ck(alice)), "alice@example.com", "AT-1", "+1 555 0199")
	// Logout: the cookie no longer passes anything.
	h.do("GET", "/redirect_uri?logout=%2Fbye", ck(alice))
	r = h.do("GET", "/", ck(alice))
	if r.res.Authenticated || r.req.Header["OIDC_CLAIM_email"] != nil || r.env["OIDC_CLAIM_email"] != "" {
		t.Errorf("after logout: authenticated %v, header %q, env %q", r.res.Authenticated, r.req.Header["OIDC_CLAIM_email"], r.env["OIDC_CLAIM_email"])
	}
	want(h.do("GET", "/", ck(bob)), "bob@example.com", "AT-2", "")
}

// TestIdentityApplyMatchesSetIdentity: laying the kept identity over a
// request gives the same headers and environment as setting the values
// one by one, whatever the settings and incoming headers (other
// spellings of the identity names included).
func TestIdentityApplyMatchesSetIdentity(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.ClaimPrefix = ""
		s.PassIDTokenAs = []string{"claims", "payload", "serialized"}
		s.PassUserInfoAs = []string{"claims", "json", "json:X-Userinfo"}
	})
	h.op.userinfo = json.RawMessage(`{"sub":"248289761001","Email":"ui@example.com","multi":"a\nb","name":"Ä"}`)
	sess, _ := h.login("/")
	s, err := h.rp.loadSession(t.Context(), sess)
	if err != nil {
		t.Fatal(err)
	}
	// One spelling per name, as net/http's server hands them over
	// (canonical).
	incoming := []http.Header{
		{},
		{"User-Agent": {"x"}, "Email": {"spoof"}, "Oidc_access_token": {"spoof"}},
		{"X-Userinfo": {"spoof"}, "Name": {"a", "b"}, "Cookie": {"c=1"}, "Sub": {"x"}},
		{"email": {"spoof"}, "x-userinfo": {"spoof"}, "Aud": {"x"}},
	}
	dirs := []DirSettings{
		{PassHeaders: true, PassEnv: true},
		{PassHeaders: true, PassEnv: false, AuthNHeader: "email"},
		{PassHeaders: false, PassEnv: true, PassRefreshToken: true},
		{PassHeaders: true, PassEnv: true, PassEncoding: "base64url", HideAccessToken: true},
		{PassHeaders: true, PassEnv: true, PassEncoding: "latin1", AuthNHeader: "X-Remote-User"},
	}
	for i, d := range dirs {
		for j, in := range incoming {
			run := func(fast bool) (http.Header, map[string]string) {
				x := &exchange{r: &http.Request{Header: in.Clone()}, q: &Request{Env: map[string]string{"KEEP": "1"}}, dir: &d}
				if fast {
					id := h.rp.viewIdentity(x, s, s.view)
					if id == nil {
						t.Fatalf("dir %d: no kept identity", i)
					}
					id.apply(x)
				} else {
					h.rp.setIdentity(x, s, s.view)
				}
				x.releaseIndex()
				return x.r.Header, x.q.Env
			}
			fh, fe := run(true)
			sh, se := run(false)
			if !reflect.DeepEqual(fh, sh) {
				t.Errorf("dir %d incoming %d: headers\n kept %v\n  set %v", i, j, fh, sh)
			}
			if !maps.Equal(fe, se) {
				t.Errorf("dir %d incoming %d: environment\n kept %v\n  set %v", i, j, fe, se)
			}
			// The values are the request's own: changing them in place
			// (RequestHeader edit) does not reach the next request.
			for k, v := range fh {
				if len(v) > 0 {
					fh[k][0] = "changed"
				}
			}
			if again, _ := run(true); !reflect.DeepEqual(again, sh) {
				t.Errorf("dir %d incoming %d: an in-place edit reached the kept values", i, j)
			}
		}
	}
}

// TestIdentityApplyRemovesEverySpelling: every incoming spelling of an
// identity header goes (Apache's apr_table_set removes them all), not
// only one of them.
func TestIdentityApplyRemovesEverySpelling(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.ClaimPrefix = "" })
	sess, _ := h.login("/")
	s, err := h.rp.loadSession(t.Context(), sess)
	if err != nil {
		t.Fatal(err)
	}
	x := &exchange{r: &http.Request{Header: http.Header{"Email": {"a"}, "EMAIL": {"b"}, "email": {"c"}, "eMail": {"d"}, "Accept": {"*/*"}}},
		q: &Request{Env: map[string]string{}}, dir: &DirSettings{PassHeaders: true, PassEnv: true}}
	id := h.rp.viewIdentity(x, s, s.view)
	if id == nil {
		t.Fatal("no kept identity")
	}
	id.apply(x)
	for k, v := range x.r.Header {
		if strings.EqualFold(k, "email") && (k != "email" || len(v) != 1 || v[0] != "alice@example.com") {
			t.Errorf("%s: %q", k, v)
		}
	}
	if first(x.r.Header["Accept"]) != "*/*" {
		t.Errorf("Accept lost: %v", x.r.Header)
	}
}
