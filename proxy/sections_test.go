package proxy

import (
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

func TestMatchLocation(t *testing.T) {
	cfg := loadConfig(t, `ServerName a
<Location /p>
</Location>
<Location /p/>
</Location>
<Location /w/*>
</Location>
<Location />
</Location>
<LocationMatch "^/t/(?P<tenant>[a-z]+)">
</LocationMatch>
<Location ~ "\.php$">
</Location>
`)
	secs := cfg.Main.MergeOrder()
	byArg := map[string]*apacheconf.Section{}
	for _, s := range secs {
		byArg[s.Arg] = s
	}
	tests := []struct {
		arg, uri string
		want     bool
	}{
		{"/p", "/p", true}, {"/p", "/p/", true}, {"/p", "/p/x", true}, {"/p", "/px", false}, {"/p", "/P", false},
		{"/p/", "/p/", true}, {"/p/", "/p/x", true}, {"/p/", "/p", false},
		{"/w/*", "/w/a", true}, {"/w/*", "/w/a/b", false}, // apache_semantics §e [obs]
		{"/", "/anything/at/all", true},
		{`^/t/(?P<tenant>[a-z]+)`, "/t/acme/x", true}, {`^/t/(?P<tenant>[a-z]+)`, "/x/t/acme", false},
		{`\.php$`, "/a/b.php", true}, {`\.php$`, "/a/b.php5", false},
	}
	for _, tt := range tests {
		sec := byArg[tt.arg]
		if sec == nil {
			t.Fatalf("no section %q", tt.arg)
		}
		env := map[string]string{}
		if got := MatchLocation(sec, tt.uri, env); got != tt.want {
			t.Errorf("<Location %s> vs %q = %v, want %v", tt.arg, tt.uri, got, tt.want)
		}
	}
	env := map[string]string{}
	MatchLocation(byArg[`^/t/(?P<tenant>[a-z]+)`], "/t/acme/x", env)
	if env["MATCH_TENANT"] != "acme" {
		t.Errorf("named group: env = %v", env)
	}
}

// TestWalkOrder: file order beats specificity (§e example 1), main-server
// sections come before the vhost's, and results are cached by matched set.
func TestWalkOrder(t *testing.T) {
	cfg := loadConfig(t, `ServerName a
<Location /app>
</Location>
<VirtualHost *:80>
  ServerName v
  <Location />
  </Location>
  <Location /app/x>
  </Location>
</VirtualHost>
`)
	w := NewSectionWalker(cfg.VHosts[0])
	m := w.WalkProxied("/app/x/y", "")
	var got []string
	for _, s := range m.Sections {
		got = append(got, s.Arg)
	}
	if strings.Join(got, " ") != "/app / /app/x" {
		t.Errorf("matched %v, want main server's /app, then the vhost's / and /app/x in file order", got)
	}
	if m.Dir == nil {
		t.Fatal("nil merged config")
	}
	m2 := w.WalkProxied("/app/x/z", "")
	if m2.Dir != m.Dir {
		t.Error("same matched set must reuse the cached merged config")
	}
	if other := w.WalkProxied("/other", ""); other.Dir == m.Dir || len(other.Sections) != 1 {
		t.Errorf("/other: %d sections", len(other.Sections))
	}
}

func TestWalkLocalAndProxy(t *testing.T) {
	cfg := loadConfig(t, `ServerName a
<Directory /var/www>
</Directory>
<Directory /var/www/html>
  <Files "*.txt">
  </Files>
</Directory>
<Proxy "http://backend/">
</Proxy>
<Proxy "http://other/">
</Proxy>
`)
	w := NewSectionWalker(cfg.Main)
	m := w.WalkLocal("/x.txt", "/var/www/html/x.txt")
	var got []string
	for _, s := range m.Sections {
		got = append(got, s.Kind.String()+" "+s.Arg)
	}
	if strings.Join(got, ", ") != "Directory /var/www, Directory /var/www/html, Files *.txt" {
		t.Errorf("local walk: %v", got)
	}
	m = w.WalkProxied("/x", "http://backend/x")
	if len(m.Sections) != 1 || m.Sections[0].Arg != "http://backend/" {
		t.Errorf("proxy walk: %v", m.Sections)
	}
}
