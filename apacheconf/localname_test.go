package apacheconf

import (
	"path/filepath"
	"testing"
)

// TestNameUnnamed: servers without a ServerName of their own are named as
// Apache's ap_fini_vhost_config names them — the main server after the
// machine, wildcard virtual hosts after the main server, the others after
// the reverse DNS of their first address (even when the main server has a
// ServerName).
func TestNameUnnamed(t *testing.T) {
	local := func() string { return "machine.example" }
	reverse := func(h string) string { return "rev-" + h }
	tests := []struct {
		name, conf string
		main       string
		vhosts     []string
	}{
		{"stock Debian: no ServerName anywhere", "<VirtualHost *:80>\n</VirtualHost>\n", "machine.example", []string{"machine.example"}},
		{"main ServerName inherited by a wildcard vhost", "ServerName main.example\n<VirtualHost *:80>\n</VirtualHost>\n<VirtualHost _default_:81>\n</VirtualHost>\n", "main.example", []string{"main.example", "main.example"}},
		{"IP vhost: reverse DNS, not the main name", "ServerName main.example\n<VirtualHost 10.0.0.5:80>\n</VirtualHost>\n<VirtualHost 0.0.0.0:82>\n</VirtualHost>\n", "main.example", []string{"rev-10.0.0.5", "main.example"}},
		{"own ServerName kept", "<VirtualHost 10.0.0.5:80>\nServerName own.example\n</VirtualHost>\n<VirtualHost *:80>\nServerName other.example\n</VirtualHost>\n", "machine.example", []string{"own.example", "other.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, map[string]string{"main.conf": "ErrorLog /dev/stderr\n" + tt.conf})
			cfg, diags := Load(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Envvars: EnvvarsOff})
			if cfg == nil {
				t.Fatal(diags)
			}
			cfg.NameUnnamed(local, reverse)
			if cfg.Main.Name != tt.main {
				t.Errorf("main server %q, want %q", cfg.Main.Name, tt.main)
			}
			var got []string
			for _, vh := range cfg.VHosts {
				got = append(got, vh.Name)
			}
			if len(got) != len(tt.vhosts) {
				t.Fatalf("vhosts %q, want %q", got, tt.vhosts)
			}
			for i := range got {
				if got[i] != tt.vhosts[i] {
					t.Errorf("vhost %d: %q, want %q", i, got[i], tt.vhosts[i])
				}
			}
		})
	}
	if LocalHostName() == "" || ReverseName("127.0.0.1") == "" {
		t.Error("the machine's names must never be empty")
	}
}
