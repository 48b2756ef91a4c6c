package apacheconf

import (
	"bytes"
	"os"
	"testing"
)

// TestDirectivesDocUpToDate fails when docs/directives.md no longer matches
// the registry; -update rewrites it.
func TestDirectivesDocUpToDate(t *testing.T) {
	var b bytes.Buffer
	if err := DefaultRegistry().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	const path = "../docs/directives.md"
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./apacheconf -run TestDirectivesDocUpToDate -update)", err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Fatal("docs/directives.md is out of date with the registry: run go test ./apacheconf -run TestDirectivesDocUpToDate -update and commit the result")
	}
}

func TestContextsWording(t *testing.T) {
	reg := DefaultRegistry()
	for name, want := range map[string]string{
		"ServerAdmin": "server config, virtual host",
		"Listen":      "server config",
		"Require":     "directory, .htaccess",
		"Header":      "server config, virtual host, directory, .htaccess",
		"ProxyPass":   "server config, virtual host, directory",
		"<Location":   "server config, virtual host",
	} {
		s, ok := reg.Lookup(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		if got := s.Contexts(); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
