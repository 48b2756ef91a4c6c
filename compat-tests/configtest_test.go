package compattests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestConfigtestDifferential runs the reader's golden cases
// (apacheconf/testdata/golden) through the real `apache2 -t` and through
// `oidcgate configtest --apache`, and requires the same verdict, the same
// reported file and line, and the same message.
//
// A case is a txtar archive of a server root: main.conf is the main file,
// "args" holds -D values, "env" NAME=value lines; "modules/mod_x.so" paths
// are rewritten to Debian's module directory. ${GOLDEN_ROOT} is the case's
// server root. A "# message-may-differ: why" line in the archive comment
// relaxes the message comparison (verdict and line still count).
func TestConfigtestDifferential(t *testing.T) {
	requireApache(t)
	var files []string
	// configtest/cases is run (with goldens recorded from Apache) by the
	// package in ./configtest.
	for _, pat := range []string{"../apacheconf/testdata/golden/*.txtar"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("only %d reader cases found", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GOLDEN_ROOT=" + root}
			var args []string
			for _, f := range ar.Files {
				switch f.Name {
				case "want":
				case "args":
					for _, d := range strings.Fields(string(f.Data)) {
						args = append(args, "-D", d)
					}
				case "env":
					for _, l := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
						if l != "" {
							env = append(env, l)
						}
					}
				default:
					data := strings.ReplaceAll(string(f.Data), "<CR>", "\r")
					data = strings.ReplaceAll(data, "<BOM>", "\ufeff")
					data = strings.ReplaceAll(data, "modules/mod_", "/usr/lib/apache2/modules/mod_")
					p := filepath.Join(root, f.Name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			// Apache's default ErrorLog is logs/error.log under the root;
			// its directory must exist for -t to pass.
			if err := os.MkdirAll(filepath.Join(root, "logs"), 0o755); err != nil {
				t.Fatal(err)
			}
			main := filepath.Join(root, "main.conf")
			apache := run(t, env, apacheBin, append([]string{"-d", root, "-f", main, "-t"}, args...)...)
			og := run(t, env, oidcgateBin, append([]string{"configtest", "--apache", "-d", root, "-f", main}, args...)...)
			a, o := parseOutcome(apache.stderr, root), parseOutcome(og.stderr, root)
			if apache.code != og.code {
				t.Fatalf("exit: apache2 %d, oidcgate %d\n--- apache2\n%s--- oidcgate\n%s", apache.code, og.code, apache.stderr, og.stderr)
			}
			if a.where != o.where {
				t.Errorf("reported position: apache2 %q, oidcgate %q\n--- apache2\n%s--- oidcgate\n%s", a.where, o.where, apache.stderr, og.stderr)
			}
			if a.msg != o.msg && !strings.Contains(string(ar.Comment), "# message-may-differ:") {
				t.Errorf("message:\napache2:  %q\noidcgate: %q", a.msg, o.msg)
			}
		})
	}
}

// outcome is the decisive part of apache2 -t's output.
type outcome struct {
	where string // "file:line" of the first error, "" for none
	msg   string // the message, after the last position prefix
}

var (
	readErr  = regexp.MustCompile(`^\S+: Syntax error on line (\d+) of ([^:]+): (.*)$`)
	walkErr  = regexp.MustCompile(`^AH00526: Syntax error on line (\d+) of ([^:]+):$`)
	chainPos = regexp.MustCompile(`^Syntax error on line \d+ of [^:]+: `)
)

func parseOutcome(stderr, root string) outcome {
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "[") || strings.HasPrefix(l, "AH00558:") || l == "" {
			continue // warnings: timestamps and host names vary
		}
		if m := readErr.FindStringSubmatch(l); m != nil {
			msg := m[3]
			for chainPos.MatchString(msg) {
				msg = chainPos.ReplaceAllString(msg, "")
			}
			return outcome{where: strings.TrimPrefix(m[2], root+"/") + ":" + m[1], msg: strings.ReplaceAll(msg, root+"/", "")}
		}
		if m := walkErr.FindStringSubmatch(l); m != nil {
			msg := ""
			if i+1 < len(lines) {
				msg = lines[i+1]
			}
			return outcome{where: strings.TrimPrefix(m[2], root+"/") + ":" + m[1], msg: strings.ReplaceAll(msg, root+"/", "")}
		}
		return outcome{msg: strings.ReplaceAll(l, root+"/", "")}
	}
	return outcome{}
}
