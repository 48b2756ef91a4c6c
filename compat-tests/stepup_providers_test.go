package compattests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Step-up with several providers (OIDCMetadataDir): bob logs in at
// provider 1, then asks for /su/ (Require claim sub:alice,
// OIDCUnAutzAction auth) with a GET, a form POST (OIDCPreservePost On),
// a HEAD and with OIDCDiscoverURL. mod_auth_openidc 2.4.12.3 starts the
// step-up without a provider (oidc_authenticate_user(..., NULL, ...)):
// with a metadata directory that is the discovery page, not the
// session's issuer. What the browser gets, whether the backend is
// reached, and the step-up completed through the page's form as alice.

const stepUpProvidersExtra = `  <Location /su/>
    Require claim sub:alice
    OIDCUnAutzAction auth
    OIDCPathAuthRequestParams prompt=login
  </Location>
  <Location /su/pp/>
    OIDCPreservePost On
  </Location>
  <Location /su/ext/>
    OIDCDiscoverURL /public/choose
  </Location>
</VirtualHost>
`

// rawHop sends one request on its own connection with c's cookies and
// returns the response and whatever the server wrote after it.
func rawHop(t *testing.T, c *http.Client, base, method, path string, hdr map[string]string, body string) (hop, string) {
	t.Helper()
	u, _ := url.Parse(base + path)
	var req strings.Builder
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: compat-tests\r\nConnection: close\r\n", method, path, u.Host)
	for _, k := range sortedKeys(hdr) {
		if k != "User-Agent" {
			fmt.Fprintf(&req, "%s: %s\r\n", k, hdr[k])
		}
	}
	var cs []string
	for _, ck := range c.Jar.Cookies(u) {
		cs = append(cs, ck.Name+"="+ck.Value)
	}
	if len(cs) > 0 {
		fmt.Fprintf(&req, "Cookie: %s\r\n", strings.Join(cs, "; "))
	}
	if body != "" {
		fmt.Fprintf(&req, "Content-Length: %d\r\n", len(body))
	}
	req.WriteString("\r\n" + body)
	conn, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, req.String())
	all, _ := io.ReadAll(io.LimitReader(conn, 1<<20))
	br := bufio.NewReader(strings.NewReader(string(all)))
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", method, path, err, all)
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	rest, _ := io.ReadAll(br)
	c.Jar.SetCookies(u, resp.Cookies())
	return hop{Method: method, URL: base + path, Status: resp.StatusCode, Location: resp.Header.Get("Location"),
		SetCookies: resp.Header.Values("Set-Cookie"), Header: resp.Header, Body: string(rb)}, string(rest)
}

var csrfInputRE = regexp.MustCompile(`name="x_csrf" value="([^"]+)"`)

// TestStepUpProviders: Apache + mod_auth_openidc 2.4.12.3 and oidcgate on
// the same metadata directory (two oidc-provider instances); the
// normalised transcripts must be equal but for what stepUpProvidersRule
// says.
func TestStepUpProviders(t *testing.T) {
	backend, apache, gate, op1, op2 := twoProviderFronts(t)
	fileName := metadataFileName
	startProviderFrontsConf(t, apache, gate, func(f providersFront) string {
		return strings.Replace(providersConf(f, backend.Addr()), "</VirtualHost>\n", stepUpProvidersExtra, 1)
	}, func(md string) {
		for _, op := range []*opServer{op1, op2} {
			doc := do(t, newBrowser(t), "GET", op.Issuer+"/.well-known/openid-configuration", nil, nil).Body
			os.WriteFile(filepath.Join(md, fileName(op.Issuer)+".provider"), []byte(doc), 0o666)
			os.WriteFile(filepath.Join(md, fileName(op.Issuer)+".client"), []byte(`{"client_id":"oidcgate","client_secret":"secret"}`), 0o666)
		}
	})
	run := func(f providersFront) string {
		base := "http://" + f.addr
		n := providersNormaliser{repl: []string{base, "http://RP", f.addr, "RP", url.QueryEscape(base), "http%3A%2F%2FRP",
			op1.Issuer, "http://OP1", url.QueryEscape(op1.Issuer), "http%3A%2F%2FOP1",
			op2.Issuer, "http://OP2", url.QueryEscape(op2.Issuer), "http%3A%2F%2FOP2"}}
		var out strings.Builder
		note := func(s string) { out.WriteString("# " + s + "\n") }
		backendLine := func() {
			if r := backend.take(); r != nil {
				fmt.Fprintf(&out, "  backend: %s %s sub=%s iss=%s\n", r.Method, n.text(r.RequestURI), r.get("OIDC_CLAIM_sub"), n.text(r.get("OIDC_CLAIM_iss")))
			}
		}
		// chooseOP1 answers a choice page as the user typing provider 1's
		// issuer into its form (2.4.12.3 lists no http provider).
		chooseOP1 := func(page string) string {
			v := url.Values{}
			for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
				v.Set(m[1], m[2])
			}
			q := ""
			for _, k := range []string{"target_link_uri", "method", "x_csrf", "scopes", "auth_request_params"} {
				if vs, ok := v[k]; ok {
					q += "&" + k + "=" + url.QueryEscape(vs[0])
				}
			}
			return base + "/redirect_uri?" + strings.TrimPrefix(q, "&") + "&iss=" + url.QueryEscape(op1.Issuer)
		}
		hopOut := func(h hop, rest string) {
			h.Body = linkLineRE.ReplaceAllString(h.Body, "")
			out.WriteString(n.hopLine(h, h.Status != 302 && !strings.HasPrefix(h.Body, "backend saw ")))
			if rest != "" {
				fmt.Fprintf(&out, "  then, on the same connection, %d more bytes\n", len(rest))
			}
			backendLine()
		}

		note("bob logs in at provider 1 through the choice page")
		c := newBrowser(t)
		page := do(t, c, "GET", base+"/x", nil, browserHdr)
		for _, h := range login(t, c, chooseOP1(page.Body), "bob", op1.Issuer) {
			if !strings.HasPrefix(h.URL, op1.Issuer) {
				out.WriteString(n.hopLine(h, false))
			}
		}
		backendLine()
		form := copyHdr(browserHdr, "Content-Type", "application/x-www-form-urlencoded")
		for _, r := range []struct{ note, method, path, body string }{
			{"GET, step-up", "GET", "/su/x?a=1", ""},
			{"a form POST with OIDCPreservePost On", "POST", "/su/pp/x", stepUpForm},
			{"HEAD", "HEAD", "/su/x", ""},
			{"OIDCDiscoverURL", "GET", "/su/ext/x", ""},
		} {
			note("bob: " + r.note)
			hdr := browserHdr
			if r.body != "" {
				hdr = form
			}
			h, rest := rawHop(t, c, base, r.method, r.path, hdr, r.body)
			hopOut(h, rest)
		}
		note("bob's GET step-up page, answered as the user choosing provider 1 and logging in as alice")
		h, _ := rawHop(t, c, base, "GET", "/su/x?a=1", browserHdr, "")
		backend.take()
		if !csrfInputRE.MatchString(h.Body) {
			note("no choice page to answer")
			return out.String()
		}
		for _, h := range loginSwitching(t, c, chooseOP1(h.Body), "alice", op1.Issuer, nil) {
			if !strings.HasPrefix(h.URL, op1.Issuer) {
				out.WriteString(n.hopLine(h, false))
			}
		}
		backendLine()

		note("bob's preserved form POST, answered through the choice page as alice; the Restoring page re-posts it")
		c = newBrowser(t)
		page = do(t, c, "GET", base+"/x", nil, browserHdr)
		login(t, c, chooseOP1(page.Body), "bob", op1.Issuer)
		backend.take()
		h, _ = rawHop(t, c, base, "POST", "/su/pp/x", form, stepUpForm)
		backend.take()
		hops := loginSwitching(t, c, chooseOP1(h.Body), "alice", op1.Issuer, nil)
		for _, h := range hops {
			if !strings.HasPrefix(h.URL, op1.Issuer) {
				out.WriteString(n.hopLine(h, h.Status == 200))
			}
		}
		backendLine()
		if m := restoreActionRE.FindStringSubmatch(hops[len(hops)-1].Body); m != nil {
			target := strings.TrimPrefix(jsUnescape(m[1]), base)
			r, rest := rawHop(t, c, base, "POST", target, form, restoredForm(h.Body))
			hopOut(r, rest)
		}
		return out.String()
	}
	want := run(apache)
	t.Logf("Apache transcript:\n%s", want)
	got := run(gate)
	t.Logf("oidcgate transcript:\n%s", got)
	if want := stepUpProvidersRule(want); got != want {
		t.Errorf("oidcgate differs from Apache (stepUpProvidersRule):\n%s", lineDiff(want, got))
	}
}

// stepUpProvidersRule: what oidcgate does differently from 2.4.12.3 on
// purpose. With a metadata directory the module's step-up writes the
// choice page and then *grants* the request (oidc_handle_unauthorized_user24:
// discovery state set, no Location → AUTHZ_GRANTED; HEAD's authz.c still
// does), so mod_proxy sends the denied request to the backend with the
// user's identity — a GET, a form POST with its body, a HEAD — and the
// backend's answer follows the page on the connection (measured). The
// backend acts on a request Require refused: oidcgate sends the page
// only. In a response that sets the choice page's CSRF cookie, the
// trailing bytes and the backend line go. And, as rule 4 of
// expectForOIDCGate: a redirect-URI request the module answered (here
// the Restoring page) is never proxied as well.
func stepUpProvidersRule(s string) string {
	var out strings.Builder
	choice := false
	for _, l := range strings.SplitAfter(s, "\n") {
		switch {
		case strings.HasPrefix(l, "> ") || strings.HasPrefix(l, "# "):
			choice = false
		case strings.HasPrefix(l, "  Set-Cookie: x_csrf=CSRF;"):
			choice = true
		case choice && (strings.HasPrefix(l, "  then, on the same connection, ") || strings.HasPrefix(l, "  backend: ")):
			continue
		case strings.HasPrefix(l, "  backend: GET /redirect_uri?"):
			continue
		}
		out.WriteString(l)
	}
	return out.String()
}

// TestStepUpProvidersRule: the backend line and trailing bytes go after a
// choice page only.
func TestStepUpProvidersRule(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"> GET /su/x\n< 200\n  Set-Cookie: x_csrf=CSRF; Path=/; HttpOnly\n  | page\n  then, on the same connection, 805 more bytes\n  backend: GET /su/x sub=bob\n# next\n",
			"> GET /su/x\n< 200\n  Set-Cookie: x_csrf=CSRF; Path=/; HttpOnly\n  | page\n# next\n"},
		{"> GET /x\n< 200\n  backend: GET /x sub=bob\n", "> GET /x\n< 200\n  backend: GET /x sub=bob\n"},
		{"> GET /redirect_uri?code&state\n< 200\n  | Restoring\n  backend: GET /redirect_uri?code&state sub= iss=\n", "> GET /redirect_uri?code&state\n< 200\n  | Restoring\n"},
		{"> GET /redirect_uri?iss=X\n< 302\n  Set-Cookie: x_csrf=; Path=/; Expires=DATE; HttpOnly\n> GET /su/x\n< 200\n  backend: GET /su/x sub=alice\n",
			"> GET /redirect_uri?iss=X\n< 302\n  Set-Cookie: x_csrf=; Path=/; Expires=DATE; HttpOnly\n> GET /su/x\n< 200\n  backend: GET /su/x sub=alice\n"},
	} {
		if got := stepUpProvidersRule(c.in); got != c.want {
			t.Errorf("stepUpProvidersRule(%q):\n%s", c.in, lineDiff(c.want, got))
		}
	}
}
