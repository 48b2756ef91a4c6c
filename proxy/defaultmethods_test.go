package proxy

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestDefaultHandlerMethods: the default handler serves GET, HEAD and POST;
// other methods Apache knows get 405, unknown ones 501 (closing the
// connection), OPTIONS an empty 200 — for existing and missing files alike
// (measured on Apache 2.4.71, compat-tests TestStaticMethodsDifferential).
func TestDefaultHandlerMethods(t *testing.T) {
	docs := t.TempDir()
	os.WriteFile(filepath.Join(docs, "f.html"), []byte("hi\n"), 0o644)
	for _, conf := range []struct{ extra, allow string }{
		{"", "GET,POST,OPTIONS,HEAD,TRACE"},
		{"TraceEnable off\n", "GET,POST,OPTIONS,HEAD"},
	} {
		cfg := loadConfig(t, "ServerName a\nDocumentRoot "+docs+"\n"+conf.extra+"<Directory "+docs+">\nRequire all granted\n</Directory>\n")
		site := NewSite(cfg, nil, nil)
		for _, tt := range []struct {
			method, path string
			status       int
			allow        string
		}{
			{"GET", "/f.html", 200, ""},
			{"POST", "/f.html", 200, ""},
			{"HEAD", "/f.html", 200, ""},
			{"PUT", "/f.html", 405, conf.allow},
			{"DELETE", "/missing", 405, conf.allow},
			{"PROPFIND", "/f.html/x", 405, conf.allow},
			{"OPTIONS", "/f.html", 200, conf.allow},
			{"FOO", "/f.html", 501, conf.allow},
			{"get", "/f.html", 501, conf.allow},
			{"GET", "/missing", 404, ""},
		} {
			rec := httptest.NewRecorder()
			site.ServeHTTP(rec, httptest.NewRequest(tt.method, "http://a"+tt.path, nil))
			if rec.Code != tt.status || rec.Header().Get("Allow") != tt.allow {
				t.Errorf("%q %s %s: %d Allow %q, want %d %q", conf.extra, tt.method, tt.path, rec.Code, rec.Header().Get("Allow"), tt.status, tt.allow)
			}
			if close := rec.Header().Get("Connection") == "close"; close != (tt.status == http.StatusNotImplemented) {
				t.Errorf("%s %s: Connection: close %v", tt.method, tt.path, close)
			}
		}
		site.Close()
	}
}
