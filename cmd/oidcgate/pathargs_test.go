package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathArgument: configtest, routes and serve take the configuration
// as lint does — `oidcgate configtest site.conf` or a server root
// directory — where they answered `unknown command "site.conf"`.
func TestPathArgument(t *testing.T) {
	_, file := writeConf(t, validConf)
	deb := t.TempDir()
	if err := os.WriteFile(filepath.Join(deb, "apache2.conf"), []byte("ServerName deb.example\nErrorLog /dev/stderr\nBogus here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args             []string
		code             int
		inStdout, inErrs string
	}{
		{[]string{"configtest", file}, 0, "", "Syntax OK"},
		{[]string{"configtest", deb}, 1, "", filepath.Join(deb, "apache2.conf") + ":3"},
		{[]string{"routes", file}, 0, "<VirtualHost *:8080> " + file + ":5", ""},
		{[]string{"routes", "-S", file}, 0, "default server b.example", ""},
		{[]string{"serve", deb}, 1, "", filepath.Join(deb, "apache2.conf") + ":3"},
		{[]string{"configtest", "-f", file, file}, 2, "", "either as PATH or with -f"},
		{[]string{"configtest", file, file}, 2, "", "accepts at most 1 arg"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, append([]string{"oidcgate"}, tt.args...)...)
		if code != tt.code || !strings.Contains(stdout, tt.inStdout) || !strings.Contains(stderr, tt.inErrs) {
			t.Errorf("%v: code %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", tt.args, code, tt.code, stdout, tt.inStdout, stderr, tt.inErrs)
		}
	}
}
