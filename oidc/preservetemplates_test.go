package oidc

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPreservePostTemplates: upstream's OIDCPreservePostTemplates replace
// the Preserving and Restoring pages; the form data goes in as the
// built-in page has it, the URLs JavaScript-escaped, "%%" is a percent.
func TestPreservePostTemplates(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.PreserveTemplate = "<p>100%% kept: %s then %s</p>"
		s.RestoreTemplate = "<form action='%s'></form>"
	})
	h.dir.PreservePost = true
	r := httptest.NewRequest("POST", "http://www.example.com/form?p=1", strings.NewReader("a=b+c&x=%2F%27"))
	r.RequestURI = "/form?p=1"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("User-Agent", testUA)
	r.Header.Set("Accept", "text/html")
	rec := httptest.NewRecorder()
	res := h.rp.Authenticate(rec, &Request{HTTP: r, Path: "/form", Dir: h.dir, Env: map[string]string{}, Scheme: "http", Host: "www.example.com"})
	body := rec.Body.String()
	prefix := "<p>100% kept: { 'a': 'b%20c','x': '%2F%27' } then http:\\/\\/127.0.0.1:"
	if !res.Done || rec.Code != 200 || !strings.HasPrefix(body, prefix) || !strings.HasSuffix(body, "</p>") || rec.Header().Get("Content-Type") != "text/html" {
		t.Fatalf("preserve template: %d %q", rec.Code, body)
	}
	loc := strings.ReplaceAll(strings.TrimSuffix(body[strings.Index(body, " then ")+6:], "</p>"), `\/`, "/")
	state := mustQuery(t, loc).Get("state")
	sc, _, _ := cookieValue(rec.Header().Values("Set-Cookie"), "mod_auth_openidc_state_"+state)
	code := h.op.grant(loc)
	cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
	if got := cb.rec.Body.String(); !cb.res.Done || cb.rec.Code != 200 || got != `<form action='http:\/\/www.example.com\/form?p=1'></form>` {
		t.Errorf("restore template: %d %q", cb.rec.Code, got)
	}
	if _, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session"); !ok {
		t.Errorf("no session cookie with the restore template")
	}
}
