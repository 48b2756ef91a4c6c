package proxy

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestIfExprPipeline runs <If>, Header/RequestHeader expr= and Require expr
// through the pipeline; the expectations are what Apache 2.4.71 answered
// for the same configuration (compat-tests/ifexpr_test.go compares them
// live).
func TestIfExprPipeline(t *testing.T) {
	be := newRecorder(t)
	addr := be.srv.Listener.Addr().String()
	cfg := loadConfig(t, `ServerName front.example
Header set X-On on
Header always set X-Al al
Header onsuccess unset X-Backend
Header always unset X-Backend
ProxyPass /down http://127.0.0.1:1/
ProxyPass / http://`+addr+`/
<Location /chain>
  <If "%{QUERY_STRING} == 'a'">
    RequestHeader set X-Ch a
  </If>
  <ElseIf "%{QUERY_STRING} =~ /^a|b/">
    RequestHeader set X-Ch b
  </ElseIf>
  <Else>
    RequestHeader set X-Ch else
  </Else>
</Location>
<Location /ev>
  SetEnv FOO bar
  RequestHeader set X-Ev "expr=%{REQUEST_METHOD} %{env:FOO} %{REQUEST_URI}"
  RequestHeader set X-R1 r "expr=%{HTTP:X-Baz} == 'a'"
  Header set X-V1 v "expr=%{HTTP:X-Foo} == 'a' || %{HTTP:X-Bar} == 'b'"
  Header always set X-V2 "expr=%{HTTP:X-Bar}"
  Header always set X-Dup al
  Header set X-Dup on
</Location>
<Location /deny>
  Require all denied
  Header always set X-E e "expr=%{HTTP:X-Foo} == 'a'"
</Location>
<Location /rexpr>
  Require expr "%{HTTP:X-Ok} == 'yes'"
</Location>
<Location /rexpr2>
  Require expr %{HTTP:X-Ok} == 'yes'
</Location>
`)
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	get := func(path string, hdr ...string) *http.Response {
		t.Helper()
		conn, err := net.Dial("tcp", front.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: front.example\r\nConnection: close\r\n"+strings.Join(hdr, "")+"\r\n")
		resp, err := http.ReadResponse(bufioReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for _, tt := range []struct{ q, want string }{{"a", "a"}, {"b", "b"}, {"ab", "b"}, {"c", "else"}} {
		get("/chain/x?" + tt.q)
		r, _ := be.got()
		if r == nil || r.Header.Get("X-Ch") != tt.want {
			t.Errorf("chain ?%s: %v", tt.q, r)
		}
	}

	resp := get("/ev/x", "X-Foo: a\r\n", "X-Baz: a\r\n", "X-Bar: bb\r\n")
	r, _ := be.got()
	if r.Header.Get("X-Ev") != "GET bar /ev/x" || r.Header.Get("X-R1") != "r" {
		t.Errorf("RequestHeader expr=: %v", r.Header)
	}
	h := resp.Header
	if h.Get("X-On") != "on" || h.Get("X-Al") != "al" || h.Get("X-Backend") != "" || h.Get("X-V1") != "v" || h.Get("X-V2") != "bb" {
		t.Errorf("response headers %v", h)
	}
	if got := strings.Join(h.Values("X-Dup"), "|"); got != "al|on" {
		t.Errorf("X-Dup %q, want the always value first", got)
	}
	// Only the condition's header is in Vary; || stops after X-Foo.
	if got := h.Values("Vary"); len(got) != 1 || got[0] != "X-Foo" {
		t.Errorf("Vary %q", got)
	}
	resp = get("/ev/x")
	if got := resp.Header.Get("Vary"); got != "X-Foo,X-Bar" {
		t.Errorf("Vary %q", got)
	}
	if r, _ := be.got(); r.Header.Get("X-R1") != "" {
		t.Errorf("X-R1 set without X-Baz")
	}

	// Generated responses get only the always table.
	for _, path := range []string{"/deny/x", "/down/x"} {
		resp = get(path, "X-Foo: a\r\n")
		h = resp.Header
		if h.Get("X-Al") != "al" || h.Get("X-On") != "" {
			t.Errorf("%s %d: %v", path, resp.StatusCode, h)
		}
	}
	resp = get("/deny/x", "X-Foo: a\r\n")
	if resp.Header.Get("X-E") != "e" || resp.Header.Get("Vary") != "X-Foo" {
		t.Errorf("always expr= on 403: %v", resp.Header)
	}

	for _, tt := range []struct {
		path, hdr string
		want      int
	}{
		{"/rexpr/x", "X-Ok: yes\r\n", 200}, {"/rexpr/x", "", 403},
		{"/rexpr2/x", "X-Ok: yes\r\n", 200}, {"/rexpr2/x", "X-Ok: no\r\n", 403},
	} {
		if resp := get(tt.path, tt.hdr); resp.StatusCode != tt.want {
			t.Errorf("%s %q: %d, want %d", tt.path, tt.hdr, resp.StatusCode, tt.want)
		}
		be.got()
	}
}

// TestRequireExprProvider: false is "denied, no user" only when the
// expression reads %{REMOTE_USER}; it is evaluated before there is a user.
func TestRequireExprProvider(t *testing.T) {
	cfg := loadConfig(t, `ServerName a
<Location /u>
  Require expr %{REMOTE_USER} == 'alice' || %{HTTP:X-Ok} == 'yes'
</Location>
`)
	tree := cfg.Main.Sections[0].Dir.Authz.Require
	r := httptest.NewRequest("GET", "/u", nil)
	eval := func(user, ok string) AuthzResult {
		r.Header.Set("X-Ok", ok)
		return EvalAuthz(tree, AuthzRequest{Method: "GET", HasUser: user != "", User: user, Vars: reqVars{r: r, user: user}})
	}
	for _, tt := range []struct {
		user, ok string
		want     AuthzResult
	}{
		{"", "yes", AuthzGranted},
		{"", "no", AuthzDeniedNoUser},
		{"alice", "no", AuthzGranted},
		{"bob", "no", AuthzDeniedNoUser}, // Apache answered bob 401
	} {
		if got := eval(tt.user, tt.ok); got != tt.want {
			t.Errorf("user %q X-Ok %q: %v, want %v", tt.user, tt.ok, got, tt.want)
		}
	}
	if EvalAuthz(tree, AuthzRequest{Method: "GET"}) != AuthzDenied {
		t.Errorf("without variables Require expr must deny")
	}
}
