package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServerSignature: the footer of oidcgate's own pages, in Apache's
// format (measured on 2.4.71) with oidcgate's banner: name and port of
// the Host header (UseCanonicalName Off) or ServerName (On), EMail with
// ServerAdmin's mailto link, per directory.
func TestServerSignature(t *testing.T) {
	conf := "ServerName front.example\nServerAdmin \"adm<in>@x\"\nRedirect /r http://x.example/new\n" +
		"<Location /on>\nServerSignature On\n</Location>\n" +
		"<Location /mail>\nServerSignature EMail\n</Location>\n" +
		"<Location /urladmin>\nServerSignature EMail\n</Location>\n" +
		"<Location /canon>\nServerSignature On\nUseCanonicalName On\n</Location>\n" +
		"<Location /r>\nServerSignature On\n</Location>\n" +
		"<VirtualHost *>\nServerName front.example\n</VirtualHost>\n" +
		"<VirtualHost *>\nServerName v.local:8443\nServerAdmin https://help.example/\nServerSignature EMail\nUseCanonicalName On\n</VirtualHost>\n"
	cfg := loadConfig(t, conf)
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		path, host, want string
	}{
		{"/nothing", "front.example", "<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n"},
		{"/on/x", "Front.Example.:8080", "<hr>\n<address>oidcgate Server at front.example Port 8080</address>\n</body></html>\n"},
		{"/on/x", "front.example", "<address>oidcgate Server at front.example Port 80</address>"},
		{"/on/x", "[::1]:77", "<address>oidcgate Server at ::1 Port 77</address>"},
		{"/mail/x", "a.example", "<address>oidcgate Server at <a href=\"mailto:adm&lt;in&gt;@x\">a.example</a> Port 80</address>"},
		{"/canon/x", "a.example:9", "<address>oidcgate Server at front.example Port 80</address>"},
		{"/r/x", "a.example", "moved <a href=\"http://x.example/new/x\">here</a>.</p>\n<hr>\n<address>oidcgate Server at a.example Port 80</address>\n</body></html>\n"},
		{"/x", "v.local", "<address>oidcgate Server at <a href=\"https://help.example/\">v.local</a> Port 8443</address>"},
	} {
		req, _ := http.NewRequest(http.MethodGet, front.URL+tc.path, nil)
		req.Host = tc.host
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), tc.want) {
			t.Errorf("GET %s Host %s:\n%s\nwant it to contain\n%s", tc.path, tc.host, b, tc.want)
		}
	}
}

func TestIsURL(t *testing.T) {
	for s, want := range map[string]bool{"mailto:a": true, "https://x": true, "a@b": false, ":x": false, "": false, "a b:c": false, "x+y.z-w:": true} {
		if got := isURL(s); got != want {
			t.Errorf("isURL(%q) = %v", s, got)
		}
	}
}
