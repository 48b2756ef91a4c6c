package proxy

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

func loadConfig(t testing.TB, conf string) *apacheconf.Config {
	t.Helper()
	root := t.TempDir()
	file := filepath.Join(root, "main.conf")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := apacheconf.Load(apacheconf.Options{File: file, ServerRoot: root, Envvars: apacheconf.EnvvarsOff})
	if cfg == nil {
		t.Fatal(diags)
	}
	return cfg
}

func TestVHostSelect(t *testing.T) {
	cfg := loadConfig(t, `ServerName main.example
Listen 80
Listen 8080
<VirtualHost *:80>
  ServerName first.local
</VirtualHost>
<VirtualHost *:80>
  ServerName v.local
  ServerAlias alias.local *.wild.example w?.example
</VirtualHost>
<VirtualHost *:80 named.local>
  ServerName third.local
</VirtualHost>
<VirtualHost 127.0.0.2:80>
  ServerName ipbased.local
</VirtualHost>
<VirtualHost *:*>
  ServerName anyport.local
</VirtualHost>
`)
	resolve := func(host string) ([]netip.Addr, error) {
		if host == "named.local" {
			return []netip.Addr{netip.MustParseAddr("127.0.0.9")}, nil
		}
		return nil, nil
	}
	tab := NewVHostTable(cfg, resolve)
	at := func(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
	tests := []struct {
		local, host, want string
	}{
		{"127.0.0.1:80", "v.local", "v.local"},
		{"127.0.0.1:80", "V.LOCAL.", "v.local"},          // case and trailing dot
		{"127.0.0.1:80", "v.local:9999", "v.local"},      // port ignored
		{"127.0.0.1:80", "a.b.wild.example", "v.local"},  // '*' crosses dots
		{"127.0.0.1:80", "wx.example", "v.local"},        // '?'
		{"127.0.0.1:80", "alias.local", "v.local"},       // exact alias
		{"127.0.0.1:80", "unknown.local", "first.local"}, // default vhost of the group
		{"127.0.0.1:80", "", "first.local"},              // HTTP/1.0 without Host
		{"127.0.0.1:80", "named.local", "third.local"},   // address text, last resort
		{"127.0.0.2:80", "v.local", "ipbased.local"},     // IP-based group shadows the wildcard
		{"127.0.0.1:8080", "v.local", "anyport.local"},   // *:* catches other ports
		{"[::1]:80", "v.local", "v.local"},
	}
	for _, tt := range tests {
		got, err := tab.Select(at(tt.local), tt.host)
		if err != nil || got.Name != tt.want {
			name := ""
			if got != nil {
				name = got.Name
			}
			t.Errorf("Select(%s, %q) = %q, %v; want %q", tt.local, tt.host, name, err, tt.want)
		}
	}
	for _, bad := range []string{"a/b", "a\\b", "a..b", "1234", "1.2.3", "x:abc", "[::1"} {
		if _, err := tab.Select(at("127.0.0.1:80"), bad); err != ErrBadHost {
			t.Errorf("Host %q: err = %v, want ErrBadHost", bad, err)
		}
	}
}

func TestVHostNoGroupIsMainServer(t *testing.T) {
	cfg := loadConfig(t, "ServerName main.example\n<VirtualHost 127.0.0.5:80>\nServerName only\n</VirtualHost>\n")
	tab := NewVHostTable(cfg, nil)
	got, err := tab.Select(netip.MustParseAddrPort("127.0.0.1:80"), "only")
	if err != nil || got != cfg.Main {
		t.Errorf("connection on an address no vhost lists must go to the main server, got %v %v", got, err)
	}
}

func FuzzNormalizeHost(f *testing.F) {
	for _, s := range []string{"a.example", "A.EXAMPLE.:80", "[::1]:8080", "1.2.3.4", "..", "a/b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		h, err := NormalizeHost(host)
		if err != nil {
			return
		}
		again, err := NormalizeHost(h)
		if err != nil || again != h {
			t.Fatalf("%q → %q → %q, %v: not idempotent", host, h, again, err)
		}
	})
}
