package proxy

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStaticETagAndIndex(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "fresh.txt"), []byte("new"), 0o644)
	os.WriteFile(filepath.Join(root, "old.txt"), []byte("old"), 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(root, "old.txt"), old, old)
	os.MkdirAll(filepath.Join(root, "d"), 0o755)
	cfg := loadConfig(t, "ServerName a\nDocumentRoot "+root+"\n")
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(p string) *http.Response {
		resp, err := client.Get(front.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if e := get("/fresh.txt").Header.Get("ETag"); !strings.HasPrefix(e, "W/\"3-") {
		t.Errorf("a file changed within the last second has a weak ETag: %q", e)
	}
	if e := get("/old.txt").Header.Get("ETag"); !strings.HasPrefix(e, "\"3-") {
		t.Errorf("strong ETag expected: %q", e)
	}
	if r := get("/d"); r.StatusCode != 301 || !strings.HasSuffix(r.Header.Get("Location"), "/d/") {
		t.Errorf("directory without slash: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := get("/d/"); r.StatusCode != 404 {
		t.Errorf("directory without index: %d", r.StatusCode)
	}
	if r := get("/nope"); r.StatusCode != 404 {
		t.Errorf("missing: %d", r.StatusCode)
	}
}
