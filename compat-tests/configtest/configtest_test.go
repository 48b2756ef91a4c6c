// Package configtest compares `oidcgate configtest --apache` with the real
// `apache2 -t` (Debian 12's apache2 2.4.x + libapache2-mod-auth-openidc
// 2.4.12.3) over a corpus of configurations, and against goldens recorded
// from the real Apache so that oidcgate is checked even where Apache is not
// installed. See ../README.md.
package configtest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the *.apache.golden files from the real apache2")

const (
	apacheBin  = "/usr/sbin/apache2"
	casesDir   = "cases"
	runTimeout = 20 * time.Second
	basePath   = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	rootToken  = "${CASEROOT}"
)

// oidcgateBin is built once per test binary run.
var oidcgateBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "oidcgate-configtest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	oidcgateBin = filepath.Join(dir, "oidcgate")
	out, err := exec.Command("go", "build", "-o", oidcgateBin, "github.com/oidcgate/oidcgate/cmd/oidcgate").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building oidcgate: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// apacheAvailable reports whether the real apache2 can be run. Without it
// the live comparison is skipped loudly, or fails when
// OIDCGATE_REQUIRE_APACHE=1 (CI).
func apacheAvailable(t *testing.T) bool {
	t.Helper()
	if _, err := os.Stat(apacheBin); err == nil {
		return true
	}
	if os.Getenv("OIDCGATE_REQUIRE_APACHE") == "1" {
		t.Fatalf("%s is missing and OIDCGATE_REQUIRE_APACHE=1: run compat-tests/setup.sh", apacheBin)
	}
	t.Logf("SKIPPING LIVE APACHE COMPARISON: %s is missing (run compat-tests/setup.sh); checking oidcgate against the recorded goldens only", apacheBin)
	return false
}

// tc is one case: a server root (dir), the main file, and what its header
// declares.
type tc struct {
	name        string
	src         string // the case as stored: file, directory or txtar archive
	dir         string // server root passed with -d
	file        string // main configuration file passed with -f
	args        []string
	env         []string
	mayDiffer   string // reason, when the message text may differ
	goldenPath  string
	description string
}

// loadCases finds every case under cases/: NAME.conf (a single file; the
// server root is cases/), NAME/ (a directory holding main.conf; it is the
// server root) and NAME.txtar (an archive of a server root with main.conf,
// optional "args" and "env" files, extracted into a temporary directory).
func loadCases(t *testing.T) []*tc {
	t.Helper()
	abs, err := filepath.Abs(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		t.Fatal(err)
	}
	var out []*tc
	seen := map[string]string{}
	for _, e := range entries {
		n := e.Name()
		c := &tc{}
		switch {
		case e.IsDir():
			c.name, c.dir, c.file = n, filepath.Join(abs, n), filepath.Join(abs, n, "main.conf")
		case strings.HasSuffix(n, ".conf"):
			c.name, c.dir, c.file = strings.TrimSuffix(n, ".conf"), abs, filepath.Join(abs, n)
		case strings.HasSuffix(n, ".txtar"):
			c.name = strings.TrimSuffix(n, ".txtar")
		default:
			continue
		}
		if prev, dup := seen[c.name]; dup {
			t.Fatalf("cases %s and %s share the name %q (and would share a golden)", prev, n, c.name)
		}
		seen[c.name] = n
		c.src = filepath.Join(abs, n)
		c.goldenPath = filepath.Join(abs, c.name+".apache.golden")
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// prepare reads the case's header (and extracts a txtar archive).
func (c *tc) prepare(t *testing.T) {
	t.Helper()
	if strings.HasSuffix(c.src, ".txtar") {
		c.prepareTxtar(t)
		return
	}
	data, err := os.ReadFile(c.file)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.parseHeader(string(data)); err != nil {
		t.Fatalf("%s: %v", c.file, err)
	}
}

var headerLine = regexp.MustCompile(`^#\s*(args|env|message-may-differ|desc):\s*(.*?)\s*$`)

// parseHeader reads "# key: value" lines from the leading comment block.
func (c *tc) parseHeader(text string) error {
	text = strings.TrimPrefix(text, "\ufeff")
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(l, "\r")
		if !strings.HasPrefix(l, "#") {
			break
		}
		m := headerLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		switch m[1] {
		case "args":
			c.args = append(c.args, strings.Fields(m[2])...)
		case "env":
			if !strings.Contains(m[2], "=") {
				return fmt.Errorf("bad env header %q", l)
			}
			c.env = append(c.env, m[2])
		case "message-may-differ":
			if m[2] == "" {
				return errors.New("message-may-differ needs a reason")
			}
			c.mayDiffer = m[2]
		case "desc":
			c.description = m[2]
		}
	}
	return nil
}

// prepareTxtar extracts an archive case (the format of the earlier corpus):
// "modules/mod_x.so" is rewritten to Debian's module directory, <CR> and
// <BOM> stand for those bytes, ${GOLDEN_ROOT} is the root (set in the env).
func (c *tc) prepareTxtar(t *testing.T) {
	ar, err := txtar.ParseFile(c.src)
	if err != nil {
		t.Fatal(err)
	}
	c.dir = t.TempDir()
	c.file = filepath.Join(c.dir, "main.conf")
	c.env = append(c.env, "GOLDEN_ROOT="+c.dir)
	if err := c.parseHeader(string(ar.Comment)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(ar.Comment), "# message-may-differ:") && c.mayDiffer == "" {
		c.mayDiffer = "declared in archive comment"
	}
	for _, f := range ar.Files {
		switch f.Name {
		case "want":
		case "args":
			for _, d := range strings.Fields(string(f.Data)) {
				c.args = append(c.args, "-D", d)
			}
		case "env":
			for _, l := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
				if l != "" {
					c.env = append(c.env, l)
				}
			}
		default:
			data := strings.ReplaceAll(string(f.Data), "<CR>", "\r")
			data = strings.ReplaceAll(data, "<BOM>", "\ufeff")
			data = strings.ReplaceAll(data, "modules/mod_", "/usr/lib/apache2/modules/mod_")
			p := filepath.Join(c.dir, f.Name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// These cases rely on Apache's default ErrorLog, logs/error.log.
	if err := os.MkdirAll(filepath.Join(c.dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// result is one program's answer, normalised.
type result struct {
	code   int
	stderr string // normalised: root replaced, log prefixes reduced
}

// run runs a program in the case's root with a controlled environment.
func (c *tc) run(t *testing.T, bin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = c.dir
	cmd.Env = append([]string{basePath}, c.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s timed out after %s", bin, runTimeout)
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	return result{code: code, stderr: normalise(stderr.String(), c.dir)}
}

func (c *tc) apache(t *testing.T) result {
	return c.run(t, apacheBin, append([]string{"-d", c.dir, "-f", c.file, "-t"}, c.args...)...)
}

func (c *tc) oidcgate(t *testing.T) result {
	return c.run(t, oidcgateBin, append([]string{"configtest", "--apache", "-d", c.dir, "-f", c.file}, c.args...)...)
}

// logPrefix is the volatile part of an error_log line printed to stderr:
// "[Sun Nov 22 10:39:36.123645 2026] [core:warn] [pid 1229:tid 1229] ".
var (
	logTime = regexp.MustCompile(`(?m)^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d [0-9:.]+ \d{4}\] `)
	logPid  = regexp.MustCompile(`\[pid \d+(:tid \d+)?\] `)
)

func normalise(s, root string) string {
	s = strings.ReplaceAll(s, root, rootToken)
	s = logTime.ReplaceAllString(s, "")
	s = logPid.ReplaceAllString(s, "")
	return s
}

// outcome is the decisive content of an apache2 -t answer.
type outcome struct {
	positions []string // "FILE:LINE" of each "Syntax error on line N of FILE" in the first error, outermost first
	msg       string   // the first error's message, without position prefixes
	errText   string   // the first error's full text (one line, or two for AH00526)
	warnings  []string // log lines ("[module:level] AHnnnnn: ...") before the first error
	syntaxOK  bool
}

var (
	readErr = regexp.MustCompile(`^\S+: Syntax error on line \d+ of `)
	walkErr = regexp.MustCompile(`^AH00526: Syntax error on line (\d+) of (.*):$`)
	chain   = regexp.MustCompile(`^Syntax error on line (\d+) of (.*?): `)
)

func parseOutcome(stderr string) outcome {
	var o outcome
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case l == "":
		case l == "Syntax OK":
			o.syntaxOK = true
		case strings.HasPrefix(l, "["):
			o.warnings = append(o.warnings, l)
		case readErr.MatchString(l):
			o.errText = l
			rest := l[strings.Index(l, ": ")+2:]
			for {
				m := chain.FindStringSubmatch(rest)
				if m == nil {
					break
				}
				o.positions = append(o.positions, m[2]+":"+m[1])
				rest = rest[len(m[0]):]
			}
			o.msg = rest
			return o
		case walkErr.MatchString(l):
			m := walkErr.FindStringSubmatch(l)
			o.positions = []string{m[2] + ":" + m[1]}
			o.errText = l
			if i+1 < len(lines) {
				o.msg = lines[i+1]
				o.errText += "\n" + o.msg
			}
			return o
		default:
			// An error without a position (e.g. "AH00534: ... No MPM loaded.").
			o.errText, o.msg = l, l
			return o
		}
	}
	return o
}

// compare reports how got (oidcgate) differs from want (Apache).
func (c *tc) compare(want, got result) []string {
	var diffs []string
	if want.code != got.code {
		diffs = append(diffs, fmt.Sprintf("exit status: apache2 %d, oidcgate %d", want.code, got.code))
	}
	w, g := parseOutcome(want.stderr), parseOutcome(got.stderr)
	if w.syntaxOK != g.syntaxOK {
		diffs = append(diffs, fmt.Sprintf("Syntax OK printed: apache2 %v, oidcgate %v", w.syntaxOK, g.syntaxOK))
	}
	if strings.Join(w.positions, " > ") != strings.Join(g.positions, " > ") {
		diffs = append(diffs, fmt.Sprintf("error position: apache2 %q, oidcgate %q", w.positions, g.positions))
	}
	if w.msg != g.msg {
		if c.mayDiffer == "" {
			diffs = append(diffs, fmt.Sprintf("message:\n  apache2:  %q\n  oidcgate: %q", w.msg, g.msg))
		}
	} else if w.errText != g.errText {
		diffs = append(diffs, fmt.Sprintf("error text:\n  apache2:  %q\n  oidcgate: %q", w.errText, g.errText))
	}
	if strings.Join(w.warnings, "\n") != strings.Join(g.warnings, "\n") {
		diffs = append(diffs, fmt.Sprintf("warnings:\n  apache2:  %q\n  oidcgate: %q", w.warnings, g.warnings))
	}
	return diffs
}

// Golden files hold Apache's normalised answer:
//
//	exit: N
//	-- stderr --
//	...
func readGolden(path string) (result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return result{}, err
	}
	head, body, ok := strings.Cut(string(data), "\n-- stderr --\n")
	if !ok || !strings.HasPrefix(head, "exit: ") {
		return result{}, fmt.Errorf("%s: malformed golden", path)
	}
	code, err := strconv.Atoi(strings.TrimPrefix(head, "exit: "))
	if err != nil {
		return result{}, fmt.Errorf("%s: %v", path, err)
	}
	return result{code: code, stderr: body}, nil
}

func writeGolden(path string, r result) error {
	return os.WriteFile(path, []byte(fmt.Sprintf("exit: %d\n-- stderr --\n%s", r.code, r.stderr)), 0o644)
}

// TestConfigtestApache is the differential: for every case, oidcgate's
// answer must match the golden recorded from apache2 -t, and, where
// apache2 is installed, the live answer of apache2 -t (which must itself
// still match the golden).
func TestConfigtestApache(t *testing.T) {
	cases := loadCases(t)
	if len(cases) < 70 {
		t.Fatalf("only %d cases under %s; the corpus must hold at least 70", len(cases), casesDir)
	}
	live := apacheAvailable(t)
	if *update && !live {
		t.Fatal("-update needs the real apache2")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.prepare(t)
			var apache *result
			if live {
				r := c.apache(t)
				apache = &r
				if *update {
					if err := writeGolden(c.goldenPath, r); err != nil {
						t.Fatal(err)
					}
				}
			}
			golden, err := readGolden(c.goldenPath)
			if err != nil {
				t.Fatalf("golden: %v (record it with: go test ./compat-tests/configtest -update -run 'TestConfigtestApache/%s$')", err, c.name)
			}
			if apache != nil && (apache.code != golden.code || apache.stderr != golden.stderr) {
				t.Errorf("apache2 -t no longer matches %s (rerun with -update if Apache changed):\n--- golden (exit %d)\n%s--- apache2 (exit %d)\n%s",
					filepath.Base(c.goldenPath), golden.code, golden.stderr, apache.code, apache.stderr)
			}
			want := golden
			if apache != nil {
				want = *apache
			}
			got := c.oidcgate(t)
			if diffs := c.compare(want, got); len(diffs) > 0 {
				t.Errorf("oidcgate configtest --apache differs from apache2 -t:\n%s\n--- apache2 (exit %d)\n%s--- oidcgate (exit %d)\n%s",
					strings.Join(diffs, "\n"), want.code, want.stderr, got.code, got.stderr)
			}
		})
	}
}

// TestDebianTree: the real /etc/apache2 prepared by setup.sh (stock Debian
// plus proxy, proxy_http, headers, auth_openidc and an OIDC site) is
// accepted by apache2ctl -t and by oidcgate configtest (its own mode, not
// --apache) with zero errors.
func TestDebianTree(t *testing.T) {
	if !apacheAvailable(t) {
		t.Skip("SKIPPED: no apache2, so no prepared /etc/apache2")
	}
	if _, err := os.Stat("/etc/apache2/sites-enabled/oidc-site.conf"); err != nil {
		if os.Getenv("OIDCGATE_REQUIRE_APACHE") == "1" {
			t.Fatal("/etc/apache2 is not prepared and OIDCGATE_REQUIRE_APACHE=1: run compat-tests/setup.sh")
		}
		t.Skip("SKIPPED: /etc/apache2 is not prepared: run compat-tests/setup.sh")
	}
	root := &tc{dir: "/etc/apache2"}
	// apache2ctl sources envvars itself.
	a := root.run(t, "/usr/sbin/apache2ctl", "-t")
	if a.code != 0 || !strings.Contains(a.stderr, "Syntax OK") {
		t.Fatalf("apache2ctl -t: exit %d\n%s", a.code, a.stderr)
	}
	o := root.run(t, oidcgateBin, "configtest", "-d", "/etc/apache2", "-f", "/etc/apache2/apache2.conf")
	if o.code != 0 || !strings.Contains(o.stderr, "Syntax OK") || regexp.MustCompile(`(?i)\berror`).MatchString(o.stderr) {
		t.Fatalf("oidcgate configtest: exit %d\n%s", o.code, o.stderr)
	}
}
