package proxy

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/internal/errorlog"
)

// TestLogFor: a request's lines go to its virtual host's ErrorLog with
// Apache's [client ip:port].
func TestLogFor(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, `ServerName main.example
ErrorLog `+dir+`/main.log
<VirtualHost *:80>
ServerName vh.example
ErrorLog `+dir+`/vh.log
</VirtualHost>
`)
	logs := errorlog.New(errorlog.Options{})
	if err := logs.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	s := NewSite(cfg, nil, logs.Logger().With(errorlog.Module("proxy")))
	r := httptest.NewRequest("GET", "/x", nil)
	r.RemoteAddr = "192.0.2.1:4711"
	r = r.WithContext(context.WithValue(r.Context(), reqStateKey{}, &reqState{srv: cfg.VHosts[0]}))
	s.logFor(r).Error("AH01114: HTTP: failed to make connection to backend: 127.0.0.1")
	s.log.Error("without the request")
	logs.Close()
	vh, _ := os.ReadFile(filepath.Join(dir, "vh.log"))
	main, _ := os.ReadFile(filepath.Join(dir, "main.log"))
	if !strings.Contains(string(vh), "[proxy:error] [pid ") || !strings.HasSuffix(string(vh), "[client 192.0.2.1:4711] AH01114: HTTP: failed to make connection to backend: 127.0.0.1\n") {
		t.Errorf("vhost log %q", vh)
	}
	if !strings.HasSuffix(string(main), "] without the request\n") {
		t.Errorf("main log %q", main)
	}
}
