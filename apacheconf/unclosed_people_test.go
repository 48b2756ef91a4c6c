package apacheconf

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUnclosedSectionsForPeople: a site file cut short (seed 000's
// <Location /> without its closing lines) keeps Apache's message for
// configtest --apache, and reads as one sentence for people — it printed
// Apache's text with the positions repeated and a literal "\n".
func TestUnclosedSectionsForPeople(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"site.conf": "<VirtualHost *:443>\nServerName a\n<Location />\nRequire all granted\n"})
	file := filepath.Join(root, "site.conf")
	_, diags := Read(Options{File: file, ServerRoot: root, Envvars: EnvvarsOff})
	errs := diags.Errors()
	if len(errs) != 1 {
		t.Fatalf("errors %v", errs)
	}
	d := errs[0]
	if want := file + `:3: <Location> was not closed.\n` + file + `:1: <VirtualHost> was not closed.`; d.Msg != want {
		t.Errorf("Apache's message %q, want %q", d.Msg, want)
	}
	got := d.Error()
	want := file + ":1: not closed at the end of the file: <Location> (line 3), <VirtualHost> (line 1) ("
	if !strings.HasPrefix(got, want) || strings.Contains(got, `\n`) {
		t.Errorf("for people %q, want %q…", got, want)
	}
}
