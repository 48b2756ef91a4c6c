package apacheconf

import (
	"os"
	"path/filepath"
	"testing"
)

// compileForTest writes conf to a temporary server root as main.conf and
// reads + compiles it in fragment mode (every module loaded) unless the
// config has LoadModule lines of its own. Extra files can be created in the
// directory returned by testRoot before calling it.
func compileForTest(t *testing.T, conf string) (*Config, Diagnostics) {
	t.Helper()
	return compileInRoot(t, t.TempDir(), conf)
}

// compileInRoot is compileForTest with a given server root.
func compileInRoot(t *testing.T, root, conf string, defines ...string) (*Config, Diagnostics) {
	t.Helper()
	file := filepath.Join(root, "main.conf")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	tree, diags := Read(Options{File: file, ServerRoot: root, Defines: defines, Envvars: EnvvarsOff})
	cfg, cd := Compile(tree, DefaultRegistry())
	return cfg, append(diags, cd...)
}

// writeFiles creates files (relative path → content) under root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
