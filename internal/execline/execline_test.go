package execline

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTokenize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" \t ", nil},
		{"/bin/x", []string{"/bin/x"}},
		{"  /bin/x  a\tb  ", []string{"/bin/x", "a", "b"}},
		{"a\nb", []string{"a\nb"}}, // only space and tab separate
		{`'a b' "c d"`, []string{"a b", "c d"}},
		{`"a 'b' c"`, []string{"a 'b' c"}},
		{`'a "b" c'`, []string{`a "b" c`}},
		{`"unterminated arg`, []string{"unterminated arg"}},
		{`"" ''`, []string{"", ""}},
		{`'a'b "c"d`, []string{"a", "b", "c", "d"}}, // a quoted word ends at its quote
		{`x"y z"`, []string{`x"y`, `z"`}},           // a quote inside a word is ordinary
		{`a\ b`, []string{"a b"}},
		{`a\	b`, []string{"a\tb"}},
		{`"a\"b" 'c\'d'`, []string{`a"b`, `c'd`}},
		{`a\b`, []string{"ab"}},   // every unescaped backslash is dropped
		{`a\\b`, []string{`a\b`}}, // an escaped one stays
		{`a\\ b`, []string{`a\ b`}},
		{`a\`, []string{"a"}},
		{`\\\\`, []string{`\\`}},
		{"a\x00 b", []string{"a"}}, // a C string ends at NUL
		// measured with apache2 -t through mod_auth_openidc 2.4.12.3 (the
		// program wrote its argv to a file)
		{`/p a\ b 'c d' "e f" g\h x"y z" "" 'q'r`, []string{"/p", "a b", "c d", "e f", "gh", `x"y`, `z"`, "", "q", "r"}},
	} {
		if got := Tokenize(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", "/bin/x a b", `'a b' "c\"d" e\ f \\ \`, `x"y z"`, "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Tokenize(s)
		if len(got) > len(s) {
			t.Fatalf("%d words from %d bytes", len(got), len(s))
		}
		for _, w := range got {
			if strings.IndexByte(w, 0) >= 0 {
				t.Fatalf("word %q holds a NUL", w)
			}
		}
		if !strings.ContainsAny(s, "\"'\\\x00") {
			want := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
			if len(want) == 0 {
				want = nil
			}
			if !slices.Equal(got, want) {
				t.Fatalf("Tokenize(%q) = %q, want %q", s, got, want)
			}
		}
	})
}

// script writes an executable shell script into dir.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, body string
		args       []string
		want       string
		startErr   bool
	}{
		{name: "newline", body: "echo secret\n", want: "secret"},
		{name: "no-newline", body: "printf secret\n", want: "secret"},
		{name: "multi-line", body: "printf 'one\\ntwo\\n'\n", want: "one"},
		{name: "crlf", body: "printf 'one\\r\\ntwo'\n", want: "one"},
		{name: "cr", body: "printf 'a\\rb'\n", want: "a"},
		{name: "leading-newline", body: "printf '\\nsecond\\n'\n", want: ""},
		{name: "empty", body: "true\n", want: ""},
		{name: "spaces-kept", body: "printf '  a b  \\n'\n", want: "  a b  "},
		{name: "nul", body: "printf 'ab\\000cd\\n'\n", want: "ab"},
		{name: "stderr-ignored", body: "echo oops >&2; echo out\n", want: "out"},
		{name: "failing", body: "echo partial; exit 3\n", want: "partial"},
		{name: "failing-silent", body: "exit 1\n", want: ""},
		{name: "args", body: "printf '%s|' \"$#\" \"$@\"\n", args: []string{"a b", "", "c"}, want: "3|a b||c|"},
		{name: "argv0", body: "printf '%s' \"$0\"\n", want: "ARGV0"},
		{name: "cwd", body: "pwd\n", want: dir},
		{name: "no-environment", body: "echo \"[${HOME-unset}${OIDCGATE_EXECLINE_TEST-}]\"\n", want: "[unset]"},
		{name: "long", body: "head -c 9000 /dev/zero | tr '\\0' x\n", want: strings.Repeat("x", MaxLine)},
		{name: "lingering", body: "echo early; exec sleep 2\n", want: "early"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("OIDCGATE_EXECLINE_TEST", "leaked")
			p := script(t, dir, tc.name+".sh", tc.body)
			got, err := Run(append([]string{p}, tc.args...), 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tc.want, "ARGV0", p)
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestRunCannotStart(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec.sh")
	os.WriteFile(noexec, []byte("#!/bin/sh\necho x\n"), 0o644)
	for name, argv := range map[string][]string{
		"missing":        {filepath.Join(dir, "missing")},
		"directory":      {dir},
		"not-executable": {noexec},
		"missing-dir":    {filepath.Join(dir, "nodir", "x")},
		"none":           nil,
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Run(argv, 10*time.Second)
			var se *StartError
			if !errors.As(err, &se) || got != "" {
				t.Fatalf("got %q, %v; want a StartError", got, err)
			}
		})
	}
}

func TestRunTimeout(t *testing.T) {
	dir := t.TempDir()
	// a partial line without a newline is not a value yet
	p := script(t, dir, "slow.sh", "printf partial; exec sleep 30\n")
	got, err := Run([]string{p}, 200*time.Millisecond)
	if !errors.Is(err, ErrTimeout) || got != "" {
		t.Fatalf("got %q, %v; want ErrTimeout", got, err)
	}
}
