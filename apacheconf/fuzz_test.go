package apacheconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSplitWords checks the word splitter never panics, never returns more
// words than there are non-space bytes, and is stable: re-quoting the words
// and splitting again gives the same words.
func FuzzSplitWords(f *testing.F) {
	for _, s := range []string{`a b c`, `"x"y 'it''s'`, `"esc\"q" back\\slash`, `"unterminated`, `'\'`, "\t\v\f", `""`, `a"b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words := SplitWords(s)
		if len(words) > len(s) {
			t.Fatalf("%d words from %d bytes", len(words), len(s))
		}
		var b strings.Builder
		for _, w := range words {
			b.WriteString(`"`)
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w.Text))
			b.WriteString(`" `)
		}
		again := SplitWords(b.String())
		if len(again) != len(words) {
			t.Fatalf("re-split %q: %d words, want %d", b.String(), len(again), len(words))
		}
		for i := range words {
			if again[i].Text != words[i].Text {
				t.Fatalf("word %d: %q after re-quoting, want %q", i, again[i].Text, words[i].Text)
			}
		}
	})
}

// FuzzExpand checks ${VAR} expansion never panics, leaves text without "${"
// unchanged, and reports a use for every substituted or undefined name.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"${A}", "x${a}y${B}", "${a:b}", "${", "${}", "$HOME", "${UNDEF} ${A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := newVars(nil, func(k string) (string, bool) {
			if k == "B" {
				return "env", true
			}
			return "", false
		})
		v.set("A", "value ${A}")
		uses := 0
		out := v.expand(s, func(string, VarSource) { uses++ })
		if !strings.Contains(s, "${") && out != s {
			t.Fatalf("expand changed %q to %q", s, out)
		}
		if uses > strings.Count(s, "${") {
			t.Fatalf("%d uses for %d references", uses, strings.Count(s, "${"))
		}
	})
}

// FuzzSplitLines checks logical lines never panic and keep line numbers
// within the input and increasing.
func FuzzSplitLines(f *testing.F) {
	for _, s := range []string{"a\\\nb", "a\r\nb\r\n", "\\", "x\\ \ny", "# c \\\nd", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := splitLines(data)
		total := strings.Count(string(data), "\n") + 1
		prev := 0
		for _, l := range lines {
			if l.Line < 1 || l.EndLine < l.Line || l.EndLine > total || l.Line <= prev {
				t.Fatalf("bad line numbers %d-%d (total %d, prev %d)", l.Line, l.EndLine, total, prev)
			}
			prev = l.EndLine
		}
	})
}

// FuzzRead reads and compiles arbitrary configuration text (with an include
// target beside it): no panic, every diagnostic has a position in a file we
// wrote, and a config without errors compiles to a model.
func FuzzRead(f *testing.F) {
	seeds := []string{
		"ServerName a\n<VirtualHost *:80>\nServerAlias b\n</VirtualHost>\n",
		"<IfModule !x>\nInclude inc.conf\n</IfModule>\n",
		"<Location /a>\n<Location /b>\n</Location>\n",
		"Define A b\n<IfDefine A>\nServerName ${A}\n</IfDefine>\n",
		"Include main.conf\n",
		"<If \"%{HTTP_HOST} == 'x'\">\n</If>\n<Else>\n</Else>\n",
		"</x>\n<y\n<IfVersion >= 2>\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, conf string) {
		if !utf8.ValidString(conf) || strings.Contains(conf, "\x00") {
			t.Skip()
		}
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, "inc.conf"), []byte("ServerAlias inc\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		main := filepath.Join(root, "main.conf")
		if err := os.WriteFile(main, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags := Load(Options{File: main, ServerRoot: root, Envvars: EnvvarsOff})
		for _, d := range diags {
			if d.Pos.File != "" && !strings.HasPrefix(d.Pos.File, root) {
				t.Fatalf("diagnostic outside the root: %v", d)
			}
		}
		if !diags.HasErrors() && cfg == nil {
			t.Fatal("no errors but no config")
		}
	})
}
