package apacheconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPostTemplates(t *testing.T) {
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good2, good1 := file("p.html", "<p>%s %s 100%%</p>"), file("r.html", "<a href='%s'>")
	for _, tc := range []struct {
		files []string
		want  string // "" = accepted; else a substring of the message
	}{
		{[]string{good2}, ""},
		{[]string{good2, good1}, ""},
		{[]string{good1}, "exactly 2"},
		{[]string{good2, good2}, "exactly 1"},
		{[]string{file("n.html", "%s %n %s")}, "exactly 2"},
		{[]string{file("d.html", "%s %d")}, "exactly 2"},
		{[]string{file("t.html", "%s %s %")}, "exactly 2"},
		{[]string{filepath.Join(dir, "missing.html")}, "could not read"},
	} {
		got := checkPostTemplates(tc.files)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%v: %q, want %q", tc.files, got, tc.want)
		}
	}
}
