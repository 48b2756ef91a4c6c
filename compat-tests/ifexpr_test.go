package compattests

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// ifexprConf exercises <If>/<ElseIf>/<Else>, Header/RequestHeader expr=,
// Header always vs onsuccess and Require expr.
func ifexprConf(listen, backend, dir string) string {
	return loadModules("mpm_event", "authz_core", "authz_host", "proxy", "proxy_http", "headers", "env", "setenvif", "alias") + fmt.Sprintf(`ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
Header set X-On on
RequestHeader set X-Early yes early
RequestHeader unset X-Strip early
Header always set X-Al al
Header onsuccess unset X-Backend
Header always unset X-Backend2
ProxyPass /down http://127.0.0.1:1/
ProxyPass /nope !
ProxyPass / http://%[2]s/
<Location /chain>
  <If "%%{QUERY_STRING} == 'a'">
    RequestHeader set X-Ch a
  </If>
  <ElseIf "%%{QUERY_STRING} =~ /^a|b/">
    RequestHeader set X-Ch b
  </ElseIf>
  <Else>
    RequestHeader set X-Ch else
  </Else>
  RequestHeader set X-Ch2 loc
  <If "%%{QUERY_STRING} =~ /b/">
    RequestHeader set X-Ch3 second
  </If>
  <Else>
    RequestHeader set X-Ch3 second-else
  </Else>
</Location>
<If "%%{QUERY_STRING} =~ /top/">
  RequestHeader set X-Ch2 top
</If>
<Location /ord>
  <If "true">
    RequestHeader append X-Ord nested1
  </If>
  RequestHeader append X-Ord loc
</Location>
<If "%%{REQUEST_URI} =~ m#^/ord#">
  RequestHeader append X-Ord top
  <If "-n %%{HTTP:X-Deep}">
    RequestHeader append X-Ord topnested
  </If>
</If>
<Location /ord>
  <If "%%{REQUEST_METHOD} == 'GET'">
    RequestHeader append X-Ord nested2
    Header set X-Ord-Resp yes
  </If>
</Location>
<LocationMatch "^/m/(?<who>[a-z]+)">
  <If "%%{env:MATCH_WHO} == 'bob'">
    RequestHeader set X-Who bob
  </If>
</LocationMatch>
<Location /ifreq>
  <If "%%{HTTP:X-Qux} == 'a'">
    Require all denied
  </If>
</Location>
<Location /early>
  RequestHeader set X-Never no early
  <If "%%{HTTP:X-Early} == 'yes' && -z %%{HTTP:X-Strip}">
    RequestHeader set X-Saw-Early 1
  </If>
</Location>
<Location /ev>
  SetEnv FOO bar
  RequestHeader set X-Ev "expr=%%{REQUEST_METHOD} %%{env:FOO} %%{REQUEST_URI}"
  RequestHeader set X-R1 r "expr=%%{HTTP:X-Baz} == 'a'"
  RequestHeader set X-R2 "expr=%%{HTTP:X-Foo}-%%{QUERY_STRING}"
  Header set X-V1 v "expr=%%{HTTP:X-Foo} == 'a' || %%{HTTP:X-Bar} == 'b'"
  Header always set X-V2 "expr=%%{HTTP:X-Bar}"
  Header always set X-Dup al
  Header set X-Dup on
  Header set X-Lit "expr=abc"
  Header set X-Resp yes "expr=%%{resp:X-Keep} == 'k'"
</Location>
<Location /deny>
  Require all denied
  Header always set X-E e "expr=%%{HTTP:X-Foo} == 'a'"
  Header set X-NotOnError e
</Location>
<Location /rexpr>
  Require expr "%%{HTTP:X-Ok} == 'yes'"
</Location>
<Location /rexpr2>
  Require expr %%{HTTP:X-Ok} == 'yes' && %%{REQUEST_METHOD} =~ /^(GET|HEAD)$/
</Location>
`, listen, backend, dir)
}

// TestIfExprDifferential compares Apache and oidcgate on the configuration
// above: status, the X-* and Vary response headers, and the X-* headers the
// backend received.
func TestIfExprDifferential(t *testing.T) {
	requireApache(t)
	backend, take := xHeaderBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend", "b")
		w.Header().Set("X-Backend2", "b2")
		w.Header().Set("X-Keep", "k")
		if strings.HasPrefix(r.URL.Path, "/vb") {
			w.Header().Set("Vary", "Accept-Encoding, Cookie")
		}
		st := 200
		if strings.HasPrefix(r.URL.Path, "/s/") {
			st, _ = strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/s/"))
		}
		if st == 302 {
			w.Header().Set("Location", "http://"+r.Host+"/elsewhere")
		}
		w.WriteHeader(st)
		if st != 204 && st != 304 {
			io.WriteString(w, "ok")
		}
	})
	fp := startFrontPair(t, func(listen, dir string) string { return ifexprConf(listen, backend, dir) }, nil)
	aAddr, oAddr := fp.Apache, fp.OIDCGate

	cases := []struct {
		name, target string
		extra        []string
	}{
		{"chain-if", "/chain/x?a", nil},
		{"chain-elseif", "/chain/x?b", nil},
		{"chain-elseif-skips-second-match", "/chain/x?ab", nil},
		{"chain-else", "/chain/x?c", nil},
		{"top-if-after-location", "/chain/x?top", nil},
		{"if-order", "/ord/x", nil},
		{"if-order-nested-in-if", "/ord/x", []string{"X-Deep: 1\r\n"}},
		{"if-match-env", "/m/bob", nil},
		{"if-match-env-false", "/m/alice", nil},
		{"if-require-denied", "/ifreq/x", []string{"X-Qux: a\r\n"}},
		{"if-require-inherited", "/ifreq/x", nil},
		{"early-before-if", "/early/x", []string{"X-Strip: 1\r\n"}},
		{"expr-values-and-conditions", "/ev/x?q=1", []string{"X-Foo: a\r\n", "X-Baz: a\r\n", "X-Bar: bb\r\n"}},
		{"expr-vary-no-headers", "/ev/x", nil},
		{"expr-vary-second-operand", "/ev/x", []string{"X-Bar: b\r\n"}},
		{"backend-vary-kept", "/vb/x", nil},
		{"always-on-403", "/deny/x", []string{"X-Foo: a\r\n"}},
		{"always-on-503", "/down/x", nil},
		{"always-on-404", "/nope/x", nil},
		{"backend-204", "/s/204", nil},
		{"backend-302", "/s/302", nil},
		{"backend-304", "/s/304", nil},
		{"backend-404", "/s/404", nil},
		{"backend-500", "/s/500", nil},
		{"require-expr-quoted-granted", "/rexpr/x", []string{"X-Ok: yes\r\n"}},
		{"require-expr-quoted-denied", "/rexpr/x", nil},
		{"require-expr-bare-granted", "/rexpr2/x", []string{"X-Ok: yes\r\n"}},
		{"require-expr-bare-denied", "/rexpr2/x", []string{"X-Ok: no\r\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := ifexprGet(t, aAddr, c.target, c.extra)
			aSeen := take()
			o := ifexprGet(t, oAddr, c.target, c.extra)
			oSeen := take()
			t.Logf("apache2: %s | backend %s", a, aSeen)
			if a != o {
				t.Errorf("response:\n apache2:  %s\n oidcgate: %s", a, o)
			}
			if aSeen != oSeen {
				t.Errorf("backend saw:\n apache2:  %s\n oidcgate: %s", aSeen, oSeen)
			}
		})
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
	}
}

// ifexprGet sends a GET and returns the status with the X-*, Vary and
// Location headers, in wire order per name.
func ifexprGet(t *testing.T, addr, target string, extra []string) string {
	t.Helper()
	resp, _ := rawRoundTrip(t, addr, http.MethodGet, rawGetReq(target, "front.example", extra))
	var hs []string
	for k, v := range resp.Header {
		if strings.HasPrefix(k, "X-") || k == "Vary" || k == "Location" {
			hs = append(hs, k+": "+strings.Join(v, " | "))
		}
	}
	sort.Strings(hs)
	return strconv.Itoa(resp.StatusCode) + " " + strings.Join(hs, "; ")
}

// xHeaderBackend is a backend that records, for the last request it got,
// the method, the request target and the X-* headers (but X-Forwarded-*),
// sorted; respond answers the request. take returns that record joined
// with "; " ("<not proxied>" when no request came) and forgets it.
func xHeaderBackend(t *testing.T, respond func(w http.ResponseWriter, r *http.Request)) (addr string, take func() string) {
	var mu sync.Mutex
	var last []string
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var got []string
		for k, v := range r.Header {
			if strings.HasPrefix(k, "X-") && !strings.HasPrefix(k, "X-Forwarded-") {
				got = append(got, k+": "+strings.Join(v, ", "))
			}
		}
		sort.Strings(got)
		mu.Lock()
		last = append([]string{r.Method + " " + r.RequestURI}, got...)
		mu.Unlock()
		respond(w, r)
	}))
	t.Cleanup(be.Close)
	return be.Listener.Addr().String(), func() string {
		mu.Lock()
		defer mu.Unlock()
		s := strings.Join(last, "; ")
		last = nil
		if s == "" {
			return "<not proxied>"
		}
		return s
	}
}
