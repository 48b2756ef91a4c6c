package oidc

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// iframeRPPage is 2.4.12.3's RP iframe page (oidc_handle_session_management_iframe_rp
// through oidc_util_html_send with no title and no body) for the values given.
func iframeRPPage(origin, clientID, sessionState, loginURI string, poll int, redirectURI string) string {
	script := fmt.Sprintf("    <script type=\"text/javascript\">\n"+
		"      var targetOrigin  = '%s';\n"+
		"      var clientId  = '%s';\n"+
		"      var sessionId  = '%s';\n"+
		"      var loginUrl  = '%s';\n"+
		"      var message = clientId + ' ' + sessionId;\n"+
		"	   var timerID;\n"+
		"\n"+
		"      function checkSession() {\n"+
		"        console.debug('checkSession: posting ' + message + ' to ' + targetOrigin);\n"+
		"        var win = window.parent.document.getElementById('%s').contentWindow;\n"+
		"        win.postMessage( message, targetOrigin);\n"+
		"      }\n"+
		"\n"+
		"      function setTimer() {\n"+
		"        checkSession();\n"+
		"        timerID = setInterval('checkSession()', %d);\n"+
		"      }\n"+
		"\n"+
		"      function receiveMessage(e) {\n"+
		"        console.debug('receiveMessage: ' + e.data + ' from ' + e.origin);\n"+
		"        if (e.origin !== targetOrigin ) {\n"+
		"          console.debug('receiveMessage: cross-site scripting attack?');\n"+
		"          return;\n"+
		"        }\n"+
		"        if (e.data != 'unchanged') {\n"+
		"          clearInterval(timerID);\n"+
		"          if (e.data == 'changed' && sessionId == '' ) {\n"+
		"			 // 'changed' + no session: enforce a login (if we have a login url...)\n"+
		"            if (loginUrl != '') {\n"+
		"              window.top.location.replace(loginUrl);\n"+
		"            }\n"+
		"		   } else {\n"+
		"              // either 'changed' + active session, or 'error': enforce a logout\n"+
		"              window.top.location.replace('%s?logout=' + encodeURIComponent(window.top.location.href));\n"+
		"          }\n"+
		"        }\n"+
		"      }\n"+
		"\n"+
		"      window.addEventListener('message', receiveMessage, false);\n"+
		"\n"+
		"    </script>\n", origin, clientID, sessionState, loginURI, "openidc-op", poll, redirectURI)
	return "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n" +
		"<html>\n  <head>\n    <meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n" +
		"    <title></title>\n    " + script + "\n  </head>\n  <body onload=\"setTimer()\">\n<p></p>\n  </body>\n</html>\n"
}

func status(r response) int {
	if r.res.Done {
		return r.rec.Code
	}
	return r.res.Status
}

// loginWith is harness.login with extra callback parameters.
func (h *harness) loginWith(target, extra string) string {
	h.t.Helper()
	first := h.do("GET", target, nil)
	state := mustQuery(h.t, first.res.Location).Get("state")
	sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	code := h.op.grant(first.res.Location)
	cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state+extra, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
	sess, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session")
	if !ok || sess == "" {
		h.t.Fatalf("callback: %d %q", status(cb), cb.sets)
	}
	return sess
}

func TestSessionManagementWithoutIFrame(t *testing.T) {
	h := newHarness(t, nil)
	sess := h.loginWith("/", "&session_state=abc.def")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	// Without a check_session_iframe the session_state is not kept.
	if s, err := h.rp.loadSession(t.Context(), sess); err != nil || s.SessionState != "" {
		t.Fatalf("session_state kept without an iframe: %+v %v", s, err)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"session=iframe_op", 404},
		{"session=iframe_rp", 404},
		{"session=nonsense", 500},
		{"session=", 500},
		{"session=check", 302},
	} {
		if got := status(h.do("GET", "/redirect_uri?"+tc.query, ck)); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.query, got, tc.want)
		}
	}
}

func TestSessionManagementIFrames(t *testing.T) {
	const iframe = "https://op.example/session/check?x=1"
	h := newHarness(t, func(s *Settings) { s.CheckSessionIFrame = iframe })
	sess := h.loginWith("/", "&session_state=abc.def")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	if s, err := h.rp.loadSession(t.Context(), sess); err != nil || s.SessionState != "abc.def" {
		t.Fatalf("session_state not kept: %+v %v", s, err)
	}
	if r := h.do("GET", "/redirect_uri?session=iframe_op", nil); r.res.Status != 302 || r.res.Location != iframe {
		t.Errorf("iframe_op: %d %q", r.res.Status, r.res.Location)
	}
	for _, tc := range []struct {
		query    string
		cookie   bool
		status   int
		poll     int
		state    string
		loginURI string
	}{
		{"", true, 200, 3000, "abc.def", ""},
		{"", false, 200, 3000, "", ""},
		{"&poll=500", true, 200, 500, "abc.def", ""},
		{"&poll=0", true, 200, 3000, "abc.def", ""},
		{"&poll=-5", true, 200, 3000, "abc.def", ""},
		{"&poll=86401", true, 200, 3000, "abc.def", ""},
		{"&poll=86400", true, 200, 86400, "abc.def", ""},
		// CSNC-2019-001: poll is a number, whatever follows is dropped.
		{"&poll=1);alert(1)//", true, 200, 1, "abc.def", ""},
		{"&poll=abc", true, 200, 3000, "abc.def", ""},
		{"&login_uri=" + url.QueryEscape("http://www.example.com/login?x=1"), false, 200, 3000, "", "http://www.example.com/login?x=1"},
		{"&login_uri=" + url.QueryEscape("https://evil.example/"), false, 400, 0, "", ""},
		{"&login_uri=" + url.QueryEscape("http://www.example.com/'+alert(1)+'"), false, 200, 3000, "", `http://www.example.com/\'+alert(1)+\'`},
	} {
		var hdr map[string]string
		if tc.cookie {
			hdr = ck
		}
		r := h.do("GET", "/redirect_uri?session=iframe_rp"+tc.query, hdr)
		if got := status(r); got != tc.status {
			t.Errorf("%q: %d, want %d", tc.query, got, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		want := iframeRPPage("https://op.example", "client1", tc.state, tc.loginURI, tc.poll, "http://www.example.com/redirect_uri")
		if got := r.rec.Body.String(); got != want {
			t.Errorf("%q: page differs:\n%s\nwant:\n%s", tc.query, got, want)
		}
		if ct := r.rec.Header().Get("Content-Type"); ct != "text/html" {
			t.Errorf("%q: Content-Type %q", tc.query, ct)
		}
	}
}

func TestSessionStateEscaped(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.CheckSessionIFrame = "https://op.example/check" })
	sess := h.loginWith("/", "&session_state="+url.QueryEscape("x';alert(1);</script>"))
	r := h.do("GET", "/redirect_uri?session=iframe_rp", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
	if body := r.rec.Body.String(); !strings.Contains(body, `var sessionId  = 'x\';alert(1);\x3c/script\x3e';`) {
		t.Errorf("session_state not escaped:\n%s", body)
	}
}

func TestIFrameOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://op.example/session/check":       "https://op.example",
		"http://127.0.0.1:3000/check?x=/check":   "http://127.0.0.1:3000",
		"https://op.example":                     "https://op.example",
		"https://op.example:8443/a%20b/iframe":   "https://op.example:8443",
		"https://op.example/realms/x/protocol/c": "https://op.example",
	} {
		if got := iframeOrigin(in); got != want {
			t.Errorf("iframeOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSessionCheck(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.CheckSessionIFrame = "https://op.example/check" })
	sess := h.loginWith("/", "&session_state=s1")
	idt := ""
	if s, err := h.rp.loadSession(t.Context(), sess); err == nil {
		idt = s.IDToken
	}
	ck := "mod_auth_openidc_session=" + sess
	check := func() (string, string) {
		r := h.do("GET", "/redirect_uri?session=check", map[string]string{"Cookie": ck})
		if r.res.Status != 302 {
			t.Fatalf("check: %d", status(r))
		}
		q := mustQuery(t, r.res.Location)
		if q.Get("prompt") != "none" || q.Get("id_token_hint") != idt || idt == "" {
			t.Fatalf("check: authorization request %q", r.res.Location)
		}
		if !strings.Contains(r.res.Location, "&id_token_hint=") || !strings.HasSuffix(r.res.Location, "&prompt=none") {
			t.Errorf("check: parameter order %q", r.res.Location)
		}
		state := q.Get("state")
		v, _, _ := cookieValue(r.sets, "mod_auth_openidc_state_"+state)
		return state, "mod_auth_openidc_state_" + state + "=" + v
	}
	// The provider says the session is gone: the top window logs out.
	state, sc := check()
	r := h.do("GET", "/redirect_uri?error=login_required&state="+state, map[string]string{"Cookie": ck + "; " + sc})
	want := "    <script type=\"text/javascript\">\n      window.top.location.href = 'http:\\/\\/www.example.com\\/redirect_uri?session=logout';\n    </script>\n"
	if body := r.rec.Body.String(); status(r) != 200 || !strings.Contains(body, "<title>Redirecting...</title>\n    "+want+"\n  </head>\n  <body>\n<p></p>") {
		t.Errorf("prompt=none error: %d\n%s", status(r), body)
	}
	// The provider still knows the user: back to the RP iframe.
	state, sc = check()
	code := h.op.grant("http://op/?state=" + state + "&nonce=" + h.nonceOf(sc))
	r = h.do("GET", "/redirect_uri?code="+code+"&state="+state+"&session_state=s2", map[string]string{"Cookie": ck + "; " + sc})
	if r.res.Status != 302 || r.res.Location != "http://www.example.com/redirect_uri?session=iframe_rp" {
		t.Fatalf("prompt=none success: %d %q", status(r), r.res.Location)
	}
	ns, _, _ := cookieValue(r.sets, "mod_auth_openidc_session")
	if s, err := h.rp.loadSession(t.Context(), ns); err != nil || s.SessionState != "s2" {
		t.Fatalf("new session_state not kept: %v", err)
	} else {
		idt, ck = s.IDToken, "mod_auth_openidc_session="+ns
	}
	// Another user at the provider: the top window logs out.
	state, sc = check()
	h.op.mutate = func(c map[string]any) { c["sub"] = "someone-else" }
	code = h.op.grant("http://op/?state=" + state + "&nonce=" + h.nonceOf(sc))
	r = h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": ck + "; " + sc})
	if body := r.rec.Body.String(); status(r) != 200 || !strings.Contains(body, want) {
		t.Errorf("user changed: %d %q\n%s", status(r), r.res.Location, body)
	}
}

// nonceOf opens a state cookie ("name=value") and returns its nonce.
func (h *harness) nonceOf(cookie string) string {
	_, v, _ := strings.Cut(cookie, "=")
	st, ok := h.rp.openState(v)
	if !ok {
		h.t.Fatalf("state cookie does not open")
	}
	return st.Nonce
}

func TestSessionLogout(t *testing.T) {
	for _, loggedOut := range []string{"", "/bye"} {
		h := newHarness(t, func(s *Settings) { s.DefaultLoggedOutURL = loggedOut })
		sess := h.loginWith("/", "")
		ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
		r := h.do("GET", "/redirect_uri?session=logout", ck)
		if loggedOut == "" {
			if status(r) != 200 || !strings.Contains(r.rec.Body.String(), "<p>Logged Out</p>") {
				t.Errorf("session=logout: %d", status(r))
			}
		} else if r.res.Status != 302 || r.res.Location != "/bye" {
			// Not made absolute, not sent to the end_session_endpoint.
			t.Errorf("session=logout: %d %q", r.res.Status, r.res.Location)
		}
		if _, line, ok := cookieValue(r.sets, "mod_auth_openidc_session"); !ok || !strings.Contains(line, "Expires=Thu, 01 Jan 1970") {
			t.Errorf("session cookie not deleted: %q", r.sets)
		}
		if strings.Join(h.op.revoked, ",") != "RT-1,AT-1" {
			t.Errorf("revoked %v", h.op.revoked)
		}
		if h.do("GET", "/", ck).res.Authenticated {
			t.Errorf("session survives session=logout")
		}
	}
}

func TestLogoutRequestParams(t *testing.T) {
	for _, tc := range []struct{ params, target, want string }{
		{"", "%2Fbye", "&post_logout_redirect_uri=%2Fbye"},
		{"client_id=client1&foo=bar", "%2Fbye", "&post_logout_redirect_uri=%2Fbye&client_id=client1&foo=bar"},
		{"ui_locales=de%20en", "", "&ui_locales=de%20en"},
	} {
		h := newHarness(t, func(s *Settings) { s.LogoutRequestParams = tc.params })
		sess := h.loginWith("/", "")
		r := h.do("GET", "/redirect_uri?logout="+tc.target, map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
		if r.res.Status != 302 || !strings.HasPrefix(r.res.Location, h.op.issuer+"/logout?id_token_hint=") || !strings.HasSuffix(r.res.Location, tc.want) {
			t.Errorf("%q: %d %q, want suffix %q", tc.params, r.res.Status, r.res.Location, tc.want)
		}
	}
}

func TestPassCookies(t *testing.T) {
	for _, tc := range []struct {
		names  []string
		cookie string
		want   string
	}{
		{nil, "a=1; b=2", ""},
		{[]string{"b", "a"}, "a=1; b=2", "b=2; a=1"},
		{[]string{"a"}, "a=1; a=2", "a=1"},
		{[]string{"missing"}, "a=1", ""},
		{[]string{"a", "missing", "c"}, "c=3;a=1", "a=1; c=3"},
	} {
		h := newHarness(t, nil)
		h.dir.PassCookies = tc.names
		first := h.do("GET", "/", nil)
		state := mustQuery(t, first.res.Location).Get("state")
		sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
		code := h.op.grant(first.res.Location)
		cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": tc.cookie + "; mod_auth_openidc_state_" + state + "=" + sc})
		if cb.res.Status != 302 {
			t.Fatalf("%v: callback %d", tc.names, status(cb))
		}
		if got := h.op.tokenCookies; len(got) != 1 || got[0] != tc.want {
			t.Errorf("%v with %q: token request Cookie %q, want %q", tc.names, tc.cookie, got, tc.want)
		}
	}
}

func TestCookieSizeWarning(t *testing.T) {
	var logBuf bytes.Buffer
	h := newHarness(t, nil)
	h.rp.log = slog.New(slog.NewTextHandler(&logBuf, nil))
	long := strings.Repeat("c", 4060)
	h.dir.CookieName = long
	sess := ""
	first := h.do("GET", "/", nil)
	state := mustQuery(t, first.res.Location).Get("state")
	sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	if strings.Contains(logBuf.String(), "4093") {
		t.Fatalf("warning for a small cookie: %s", logBuf.String())
	}
	code := h.op.grant(first.res.Location)
	cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
	sess, line, ok := cookieValue(cb.sets, long)
	if !ok || sess == "" || len(line) <= 4093 {
		t.Fatalf("no long session cookie: %q", cb.sets)
	}
	want := fmt.Sprintf("the length of the cookie value (%d) is greater than 4093(!) bytes, this may not work with all browsers/server combinations: consider switching to a server side caching!", len(line))
	if !strings.Contains(logBuf.String(), want) || strings.Count(logBuf.String(), "4093(!)") != 1 {
		t.Errorf("log:\n%s\nwant one %q", logBuf.String(), want)
	}
	if status(cb) != http.StatusFound {
		t.Errorf("callback %d", status(cb))
	}
}

// FuzzSessionParams: the session-management query readers never panic,
// and whatever the query, the RP iframe's string values cannot end their
// JavaScript literal.
func FuzzSessionParams(f *testing.F) {
	f.Add("session=iframe_rp&poll=1);alert(1)//&login_uri=%2Fx")
	f.Add("session=check&session=iframe_rp&poll=-99999999999999999999")
	f.Add("poll=%zz&login_uri='")
	f.Fuzz(func(t *testing.T, q string) {
		v, _ := requestParam(q, "poll")
		if n := strtol(v); n > 1<<31 || n < -(1<<31) {
			t.Fatalf("strtol(%q) = %d", v, n)
		}
		s, _ := requestParam(q, "login_uri")
		e := jsQuote(s)
		for i := 0; i < len(e); i++ {
			switch e[i] {
			case '\\':
				i++
			case '\'', '\n', '\r', '<':
				t.Fatalf("jsQuote(%q) = %q leaves %q", s, e, e[i])
			}
		}
	})
}

// TestFrontChannelLogoutBySID: a front-channel logout without a session
// cookie ends the session its sid names, revoking its tokens; an unknown
// sid ends nothing.
func TestFrontChannelLogoutBySID(t *testing.T) {
	for _, tc := range []struct {
		query string
		ends  bool
	}{
		{"logout=get&sid=session-7", true},
		{"logout=img&sid=session-7&iss=ISS", true},
		// One provider: iss is not looked at (2.4.12.3, measured).
		{"logout=get&sid=session-7&iss=" + url.QueryEscape("https://other.example"), true},
		{"logout=get&sid=other", false},
		{"logout=get", false},
	} {
		h := newHarness(t, nil)
		h.op.claims["sid"] = "session-7"
		sess := h.loginWith("/", "")
		q := strings.ReplaceAll(tc.query, "ISS", url.QueryEscape(h.op.issuer))
		r := h.do("GET", "/redirect_uri?"+q, nil)
		if status(r) != 200 {
			t.Errorf("%s: %d", q, status(r))
		}
		alive := h.do("GET", "/", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}).res.Authenticated
		if alive == tc.ends {
			t.Errorf("%s: session alive %v", q, alive)
		}
		if revoked := len(h.op.revoked) > 0; revoked != tc.ends {
			t.Errorf("%s: revoked %v", q, h.op.revoked)
		}
	}
}

// TestPassCookiesIntrospection: the resource server's introspection call
// carries OIDCPassCookies' cookies too.
func TestPassCookiesIntrospection(t *testing.T) {
	var got atomicString
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.set(r.Header.Get("Cookie"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"active":true,"sub":"bob"}`))
	}))
	t.Cleanup(srv.Close)
	rs := newRS(t, RSSettings{IntrospectionEndpoint: srv.URL, ClientID: "rs", ClientSecret: "s"})
	r := bearerReq("tok")
	r.Header.Set("Cookie", "x=1; y=2")
	q := &Request{HTTP: r, Path: r.URL.Path, Env: map[string]string{}, Scheme: "https", Host: "api.example",
		Dir: &DirSettings{PassHeaders: true, PassCookies: []string{"y"}}}
	if res := rs.Authenticate(q, &RSDir{IntrospectionInterval: -1}); !res.Authenticated {
		t.Fatalf("token refused: %+v", res)
	}
	if got.get() != "y=2" {
		t.Errorf("introspection Cookie %q, want y=2", got.get())
	}
}

type atomicString struct {
	mu sync.Mutex
	s  string
}

func (a *atomicString) set(s string) { a.mu.Lock(); a.s = s; a.mu.Unlock() }
func (a *atomicString) get() string  { a.mu.Lock(); defer a.mu.Unlock(); return a.s }
