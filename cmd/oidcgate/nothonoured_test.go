package main

import (
	"net"
	"strings"
	"testing"
)

// TestStartWarnsNotHonoured: configtest and serve warn, with file:line,
// about directives they do not honour that change routing or security (a
// port-80 virtual host's http-to-https RewriteRule); before, only lint
// said so and serve started silently without the redirect.
func TestStartWarnsNotHonoured(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	conf := "LoadModule mpm_event_module x.so\nLoadModule rewrite_module x.so\nServerName a.example\nErrorLog /dev/stderr\nListen " + busy.Addr().String() + "\n" +
		"<VirtualHost *:80>\nRewriteEngine On\nRewriteRule ^/?(.*) https://%{SERVER_NAME}/$1 [R=301,L]\n</VirtualHost>\n"
	root, file := writeConf(t, conf)
	want := []string{"main.conf:8: warning: RewriteRule is not honoured", "Redirect permanent / https://HOST/"}
	code, _, stderr := runCLI(t, "oidcgate", "configtest", "-f", file, "-d", root)
	if code != 0 || !strings.Contains(stderr, "Syntax OK") {
		t.Errorf("configtest: code %d, want 0 (a warning): %q", code, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("configtest: %q missing from %q", w, stderr)
		}
	}
	// The port is taken: serve stops after its start-up report.
	_, _, stderr = runCLI(t, "oidcgate", "serve", "-f", file, "-d", root)
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("serve: %q missing from %q", w, stderr)
		}
	}
	// apache2 -t's output stays Apache's.
	if code, _, stderr := runCLI(t, "apache2", "-t", "-f", file, "-d", root); code != 0 || stderr != "Syntax OK\n" {
		t.Errorf("apache2 -t: code %d stderr %q", code, stderr)
	}
}
