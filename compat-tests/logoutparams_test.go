package compattests

import (
	"net/url"
	"strings"
	"testing"
)

// TestLogoutRequestParamsOP: upstream's OIDCLogoutRequestParams (inside
// <IfModule oidcgate.c>: Apache 2.4.12.3 does not know it and skips the
// block) reaches the real provider's end_session endpoint after
// id_token_hint and post_logout_redirect_uri, and the provider takes the
// request.
func TestLogoutRequestParamsOP(t *testing.T) {
	requireOP(t)
	env := newOIDCEnv(t, "oidcgate")
	o := env.Targets["oidcgate"]
	o.Extra = "  <IfModule oidcgate.c>\n    OIDCLogoutRequestParams client_id=oidcgate&ui_locales=de%20en\n  </IfModule>\n"
	startOIDCGateOIDC(t, o)
	base := o.Base["default"]
	c := newBrowser(t)
	hops := login(t, c, base+"/x", "alice", env.OP.Issuer)
	if last := hops[len(hops)-1]; last.Status != 200 {
		t.Fatalf("login ends with %d", last.Status)
	}
	h := do(t, c, "GET", base+"/redirect_uri?logout="+url.QueryEscape(base+"/"), nil, browserHdr)
	if h.Status != 302 {
		t.Fatalf("logout: %d", h.Status)
	}
	want := "&post_logout_redirect_uri=" + url.QueryEscape(base+"/") + "&client_id=oidcgate&ui_locales=de%20en"
	want = strings.ReplaceAll(want, "+", "%20")
	if !strings.HasPrefix(h.Location, env.OP.Issuer+"/session/end?id_token_hint=") || !strings.HasSuffix(h.Location, want) {
		t.Fatalf("end_session redirect %q, want suffix %q", h.Location, want)
	}
	page := do(t, c, "GET", h.Location, nil, browserHdr)
	if page.Status != 200 || !strings.Contains(page.Body, `name="xsrf"`) {
		t.Fatalf("the provider refused the end_session request: %d\n%s", page.Status, page.Body)
	}
	done := logoutAtOP(t, c, page)
	if len(done) != 1 || done[0].Status != 303 || !strings.HasPrefix(done[0].Location, base+"/") {
		t.Errorf("end_session confirmed: %v", done)
	}
}
