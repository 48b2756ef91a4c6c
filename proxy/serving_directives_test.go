package proxy

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestDirectorySlash: On (the default) redirects a directory without its
// slash, Off answers 404 (registry: DirectorySlash supported).
func TestDirectorySlash(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		conf string
		want int
	}{
		{"", 301},
		{"DirectorySlash On\n", 301},
		{"DirectorySlash Off\n", 404},
		{"<Directory " + root + ">\nDirectorySlash Off\n</Directory>\n", 404},
	} {
		cfg := loadConfig(t, "ServerName a\nDocumentRoot "+root+"\n"+tc.conf)
		front := httptest.NewServer(NewSite(cfg, nil, nil))
		resp, err := client.Get(front.URL + "/d")
		front.Close()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%q: GET /d = %d, want %d", tc.conf, resp.StatusCode, tc.want)
		}
	}
}
