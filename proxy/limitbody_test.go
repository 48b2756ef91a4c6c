package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLimitRequestBody: requests mod_proxy forwards are never limited;
// others get Apache's 413 when their body (Content-Length or chunked) is
// over the limit — plain from the default handler (ErrorDocument 413
// applies), with "Additionally, a <status>" after a redirect or an error
// (cases measured on Apache 2.4.71).
func TestLimitRequestBody(t *testing.T) {
	var got struct{ n int64 }
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.n, _ = io.Copy(io.Discard, r.Body)
		io.WriteString(w, "backend")
	}))
	defer backend.Close()
	root := t.TempDir()
	for _, d := range []string{"d", "edl", "edu"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"index.html", "edl/f.txt", "edu/f.txt"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("hi\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := "ServerName a\nDocumentRoot " + root + "\nProxyPass /p " + backend.URL + "/p\n" +
		"ProxyPass /small " + backend.URL + "/small\nRedirect /r http://x.example/new\n" +
		"LimitRequestBody 100\n" +
		"<Location /small>\nLimitRequestBody 10\n</Location>\n" +
		"<Location /deny>\nRequire all denied\n</Location>\n" +
		"<Location /edl>\nLimitRequestBody 10\nErrorDocument 413 \"local too big\n</Location>\n" +
		"<Location /edu>\nLimitRequestBody 10\nErrorDocument 413 /index.html\n</Location>\n" +
		"<Location /zero>\nLimitRequestBody 0\n</Location>\n"
	cfg := loadConfig(t, conf)
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	big := strings.Repeat("x", 200)
	for _, tc := range []struct {
		name, path string
		body       string
		chunked    bool
		want       int
		wantBody   string // substring
		backendN   int64  // -1: backend not reached
	}{
		{"proxied-over-server-limit", "/p/x", big, false, 200, "backend", 200},
		{"proxied-over-location-limit", "/small/x", big, false, 200, "backend", 200},
		{"proxied-chunked-over-limit", "/small/x", big, true, 200, "backend", 200},
		{"static-within", "/index.html", "0123456789", false, 200, "hi", -1},
		{"static-over", "/index.html", big, false, 413, "exceeds the capacity limit.\n</body>", -1},
		{"static-chunked-over", "/index.html", big, true, 413, "POST requests", -1},
		{"missing-file-over", "/nothing", big, false, 413, "capacity limit.\n</body>", -1},
		{"redirect-over", "/r/x", big, false, 413, "<p>Additionally, a 302 Found\nerror was encountered", -1},
		{"redirect-within", "/r/x", "short", false, 302, "moved", -1},
		{"dirslash-over", "/d", big, false, 413, "Additionally, a 301 Moved Permanently", -1},
		{"denied-over", "/deny/x", big, false, 413, "Additionally, a 403 Forbidden", -1},
		{"denied-chunked-over", "/deny/x", big, true, 413, "Additionally, a 403 Forbidden", -1},
		{"errordocument-text", "/edl/f.txt", "01234567890", false, 413, "local too big", -1},
		{"errordocument-text-missing", "/edl/missing", "01234567890", false, 413, "local too big", -1},
		{"errordocument-local", "/edu/f.txt", "01234567890", false, 413, "hi\n", -1},
		{"unlimited", "/zero/index.html", big + big, false, 404, "Not Found", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got.n = -1
			var body io.Reader = strings.NewReader(tc.body)
			if tc.chunked {
				body = io.MultiReader(body) // unknown length: sent chunked
			}
			req, _ := http.NewRequest(http.MethodPost, front.URL+tc.path, body)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want || !strings.Contains(string(b), tc.wantBody) {
				t.Errorf("POST %s: %d %q, want %d with %q", tc.path, resp.StatusCode, b, tc.want, tc.wantBody)
			}
			if got.n != tc.backendN {
				t.Errorf("backend read %d bytes, want %d", got.n, tc.backendN)
			}
			if tc.want == 413 && resp.Header.Get("Location") != "" {
				t.Errorf("413 with Location %q", resp.Header.Get("Location"))
			}
		})
	}
}

// TestLimitModuleReads: the module's body reads fail when the
// Content-Length is over the limit (ap_setup_client_block), and the body
// is whole again for mod_proxy afterwards.
func TestLimitModuleReads(t *testing.T) {
	for _, tc := range []struct {
		cl, limit int64
		fail      bool
	}{
		{5, 10, false}, {11, 10, true}, {11, 0, false}, {-1, 10, false}, {10, 10, false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("0123456789a"))
		r.ContentLength = tc.cl
		restore := limitModuleReads(r, tc.limit)
		_, err := io.ReadAll(r.Body)
		if (err != nil) != tc.fail {
			t.Errorf("cl %d limit %d: read error %v, want failure %v", tc.cl, tc.limit, err, tc.fail)
		}
		restore()
		if tc.fail {
			if b, err := io.ReadAll(r.Body); err != nil || string(b) != "0123456789a" {
				t.Errorf("cl %d limit %d: after restore %q %v", tc.cl, tc.limit, b, err)
			}
		}
	}
}
