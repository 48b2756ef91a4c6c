package apacheconf

import (
	"bytes"
	goflag "flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

var update = goflag.Bool("update", false, "rewrite golden files")

// TestGolden runs every testdata/golden/*.txtar case. An archive holds the
// files of a server root (main.conf is read; "args" may list -D values one
// per line; "env" NAME=value lines for ${VAR}) and a "want" file: the read
// tree, then the diagnostics, then what apache2 -t would print. ${GOLDEN_ROOT}
// expands to the case's temporary server root. With
// -update the "want" files are rewritten.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden cases")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			var defines []string
			env := map[string]string{}
			wantIdx := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "want":
					wantIdx = i
				case "args":
					defines = strings.Fields(string(f.Data))
				case "env":
					for _, l := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
						if k, v, ok := strings.Cut(l, "="); ok {
							env[k] = v
						}
					}
				default:
					p := filepath.Join(root, f.Name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					data := bytes.ReplaceAll(f.Data, []byte("<CR>"), []byte("\r"))
					data = bytes.ReplaceAll(data, []byte("<BOM>"), []byte("\ufeff"))
					if err := os.WriteFile(p, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			// As in compat-tests: Apache's default error log directory.
			if err := os.MkdirAll(filepath.Join(root, "logs"), 0o755); err != nil {
				t.Fatal(err)
			}
			got := runGolden(root, defines, env)
			if *update {
				if wantIdx < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					wantIdx = len(ar.Files) - 1
				}
				ar.Files[wantIdx].Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if wantIdx < 0 {
				t.Fatal("no want file; run with -update")
			}
			if want := string(ar.Files[wantIdx].Data); got != want {
				t.Errorf("mismatch\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}

func runGolden(root string, defines []string, env map[string]string) string {
	lookup := func(k string) (string, bool) {
		if k == "GOLDEN_ROOT" {
			return root, true
		}
		v, ok := env[k]
		return v, ok
	}
	tree, diags := Read(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Defines: defines, LookupEnv: lookup, Envvars: EnvvarsOff})
	_, cd := Compile(tree, DefaultRegistry())
	diags = append(diags, cd...)
	var b strings.Builder
	b.WriteString("# tree\n")
	DumpTree(&b, tree.Nodes, root)
	b.WriteString("# diagnostics\n")
	for _, d := range diags {
		if d.Severity == SevInfo {
			continue
		}
		sev := d.Severity.String()
		if d.ApacheOnly {
			sev += "(apache-only)"
		}
		fmt.Fprintf(&b, "%s %s: %s\n", sev, relPos(d.Pos, root), d.Msg)
	}
	b.WriteString("# apache2 -t\n")
	out, code := ApacheResult(diags, tree.Modules, "apache2", time.Time{})
	out = strings.ReplaceAll(out, root+"/", "")
	fmt.Fprintf(&b, "%sexit %d\n", out, code)
	return strings.ReplaceAll(b.String(), root+"/", "")
}
