package apacheconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeLargeConfig writes a config with vhosts <VirtualHost>s, each with
// locsPer <Location>s holding a few typical directives.
func writeLargeConfig(tb testing.TB, vhosts, locsPer int) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("LoadModule mpm_event_module modules/mod_mpm_event.so\nServerName main.example\nListen 8080\n")
	for v := range vhosts {
		fmt.Fprintf(&b, "<VirtualHost *:8080>\n  ServerName vh%d.example\n  ServerAlias alias%d.example *.vh%d.example\n", v, v, v)
		for l := range locsPer {
			fmt.Fprintf(&b, "  <Location /app%d/part%d>\n    ServerSignature Off\n  </Location>\n", v, l)
		}
		b.WriteString("</VirtualHost>\n")
	}
	dir := tb.TempDir()
	p := filepath.Join(dir, "big.conf")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkLoadLarge reads and compiles 10,000 virtual hosts with 50,000
// <Location> sections (the sizing target: under 1 s and 300 MB).
func BenchmarkLoadLarge(b *testing.B) {
	p := writeLargeConfig(b, 10000, 5)
	reg := DefaultRegistry()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tree, diags := Read(Options{File: p, ServerRoot: filepath.Dir(p), Envvars: EnvvarsOff, Registry: reg})
		_, cd := Compile(tree, reg)
		if d, ok := append(diags, cd...).First(); ok {
			b.Fatal(d)
		}
	}
}
