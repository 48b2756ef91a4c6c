package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestErrorDocument(t *testing.T) {
	cfg := loadConfig(t, "ServerName a\nErrorDocument 404 \"Nothing here, sorry\nErrorDocument 403 http://status.example/forbidden\n<Location /deny>\nRequire all denied\n</Location>\n<Location /deny/default>\nErrorDocument 403 default\n</Location>\n")
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(p string) (int, string, string) {
		resp, err := client.Get(front.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b), resp.Header.Get("Location")
	}
	if code, body, _ := get("/nothing"); code != 404 || body != "Nothing here, sorry" {
		t.Errorf("text: %d %q", code, body)
	}
	if code, _, loc := get("/deny/x"); code != 302 || loc != "http://status.example/forbidden" {
		t.Errorf("URL: %d %q", code, loc)
	}
	if code, body, _ := get("/deny/default/x"); code != 403 || len(body) < 100 {
		t.Errorf("default restores Apache's page: %d %q", code, body)
	}
}
