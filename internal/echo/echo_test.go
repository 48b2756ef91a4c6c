package echo

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	srv := httptest.NewServer(New(""))
	defer srv.Close()
	req, _ := http.NewRequest("PATCH", srv.URL+"/a/b%20c?x=1&y=%C3%A9", nil)
	req.Host = "app.example:8443"
	req.Header.Set("Accept", "application/json")
	req.Header["OIDC_CLAIM_email"] = []string{"zoe@example.com"}
	req.Header.Set("X-Remote-User", "zoe")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two, three")
	req.Header.Set("a-lower", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var d Request
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	if d.Method != "PATCH" || d.URI != "/a/b%20c?x=1&y=%C3%A9" || d.Host != "app.example:8443" || d.Proto != "HTTP/1.1" {
		t.Errorf("request line %+v", d)
	}
	var names []string
	ident := map[string]bool{}
	for _, h := range d.Headers {
		names = append(names, h.Name+"="+h.Value)
		ident[strings.ToLower(h.Name)] = h.Identity
	}
	got := strings.Join(names, "|")
	// net/http canonicalises OIDC_CLAIM_email to Oidc_claim_email.
	want := "A-Lower=1|Accept=application/json|Accept-Encoding=gzip|Content-Length=0|Oidc_claim_email=zoe@example.com|User-Agent=Go-http-client/1.1|X-Multi=one|X-Multi=two, three|X-Remote-User=zoe"
	if got != want {
		t.Errorf("headers\n got %s\nwant %s", got, want)
	}
	if !ident["oidc_claim_email"] || !ident["x-remote-user"] || ident["x-multi"] || ident["accept"] {
		t.Errorf("identity marks %v", ident)
	}
}

func TestHTML(t *testing.T) {
	for _, accept := range []string{"", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html, application/json"} {
		req := httptest.NewRequest("GET", "/hello?q=<script>", nil)
		req.Header.Set("Accept", accept)
		req.Header.Set("Oidc_claim_name", "Zoë <Ångström>")
		rec := httptest.NewRecorder()
		New("Echo!").ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		page := string(body)
		if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Fatalf("Accept %q: Content-Type %q", accept, ct)
		}
		for _, want := range []string{"<h1>Echo!</h1>", `<tr class="id"><td>Oidc_claim_name</td><td class="v">Zoë &lt;Ångström&gt;</td>`, "/hello?q=&lt;script&gt;"} {
			if !strings.Contains(page, want) {
				t.Errorf("Accept %q: page lacks %s:\n%s", accept, want, page)
			}
		}
		if strings.Contains(page, "<script>") {
			t.Errorf("unescaped input")
		}
	}
}

func TestWantsJSON(t *testing.T) {
	for accept, want := range map[string]bool{
		"application/json":                  true,
		"application/json;q=0.9, text/html": true,
		"text/html, application/json":       false,
		"*/*":                               false,
		"":                                  false,
		"Application/JSON":                  true,
	} {
		if got := wantsJSON(accept); got != want {
			t.Errorf("%q: %v", accept, got)
		}
	}
}

func TestIsIdentityHeader(t *testing.T) {
	for name, want := range map[string]bool{
		"OIDC_CLAIM_email": true, "Oidc_access_token": true, "OIDC-Claim-Sub": true, "X-Remote-User": true,
		"Remote-User": true, "X-Forwarded-User": true, "X-Auth-Request-Email": true, "Authorization": true,
		"X-Forwarded-For": false, "Cookie": false, "Host": false,
	} {
		if got := IsIdentityHeader(name); got != want {
			t.Errorf("%s: %v", name, got)
		}
	}
}
