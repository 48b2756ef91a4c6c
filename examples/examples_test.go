// Package examples_test checks that every example configuration is accepted
// by oidcgate and by the real Apache httpd + mod_auth_openidc.
package examples_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

var examples = []struct {
	dir, file string // file "" means the directory is a Debian server root
}{
	{"seed-000-echo-claims", "000-default.conf"},
	{"seed-003-wso2", "httpd-oidc.conf"},
	{"seed-004-nats-member-area", "member-area-location.conf"},
	{"seed-004-nats-member-area", "member-area-directory.conf"},
	{"debian-default-oidc", ""},
	{"multi-vhost", "multi-vhost.conf"},
	{"demo", "000-default.conf"},
	{"bearer-api", "bearer-api.conf"},
	{"multi-provider", "multi-provider.conf"},
	{"seed-001-validation-filter", "validation-filter.conf"},
}

func TestExamplesLoad(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex.dir+"/"+ex.file, func(t *testing.T) {
			root, err := filepath.Abs(ex.dir)
			if err != nil {
				t.Fatal(err)
			}
			opts := apacheconf.Options{ServerRoot: root, File: ex.file, Strict: true}
			cfg, diags := apacheconf.Load(opts)
			if cfg == nil || diags.HasErrors() {
				t.Fatalf("errors:\n%v", diags.Errors())
			}
			if len(cfg.VHosts) == 0 && ex.dir != "seed-004-nats-member-area" {
				t.Errorf("no virtual hosts read")
			}
		})
	}
}

// TestExamplesApache runs the real apache2 -t on each example.
func TestExamplesApache(t *testing.T) {
	if _, err := os.Stat("/usr/sbin/apache2"); err != nil {
		if os.Getenv("OIDCGATE_REQUIRE_APACHE") == "1" {
			t.Fatal("/usr/sbin/apache2 is missing; scripts/test-all installs it")
		}
		t.Skip("SKIPPED: /usr/sbin/apache2 is missing")
	}
	for _, ex := range examples {
		t.Run(ex.dir+"/"+ex.file, func(t *testing.T) {
			root, _ := filepath.Abs(ex.dir)
			script := `/usr/sbin/apache2 -t -d "$ROOT"`
			if ex.file != "" {
				script += ` -f "$ROOT/$FILE"`
			} else {
				script = `set -a; . "$ROOT/envvars"; ` + script
			}
			cmd := exec.Command("/bin/sh", "-c", script)
			cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin", "ROOT=" + root, "FILE=" + ex.file}
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Syntax OK") {
				t.Fatalf("apache2 -t: %v\n%s", err, out)
			}
		})
	}
}
