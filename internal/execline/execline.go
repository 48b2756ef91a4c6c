// Package execline runs the program of an "exec:" configuration value and
// returns the first line it prints, as Apache's ap_get_exec_line does for
// mod_auth_openidc's passphrases (OIDCCryptoPassphrase "exec:/path args").
//
// What the real module does, measured with apache2 -t (Debian 2.4.71,
// mod_auth_openidc 2.4.12.3) and read in httpd's server/util.c and apr's
// strings/apr_cpystrn.c:
//   - the text after "exec:" is split by apr_tokenize_to_argv (Tokenize);
//   - the program (argv[0], made ServerRoot-relative by the caller) is
//     executed directly, without a shell and without a PATH search, with
//     an empty environment, in the directory that holds it;
//   - the value is what it writes to standard output up to the first
//     '\n' or '\r' (at most 8191 bytes, cut at a NUL byte); its standard
//     error is not read and its exit status does not matter;
//   - a program that cannot be run looks like one that printed nothing.
//
// Apache waits for the line without a time limit; Run gives up after a
// timeout and kills the program.
package execline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// MaxLine is the longest value ap_get_exec_line returns (MAX_STRING_LEN-1).
const MaxLine = 8191

// DefaultTimeout is how long configuration loading waits for the line.
const DefaultTimeout = 30 * time.Second

// ErrTimeout is returned when the program wrote no complete line in time.
var ErrTimeout = errors.New("the program wrote no line in time")

// Tokenize splits s into arguments exactly as apr_tokenize_to_argv does:
// words are separated by spaces and tabs; a word that starts with a double
// or single quote runs to the matching quote (or the end) and may contain
// spaces; a backslash before a space, tab or quote keeps that character in
// the word, and afterwards every backslash that is not itself escaped is
// removed ("a\b" is "ab", "a\\b" is "a\b"). A quote inside a word is an
// ordinary character, and a quoted word ends at its closing quote even when
// more characters follow ("'a'b" is "a" and "b"). The text ends at a NUL
// byte, as a C string does.
func Tokenize(s string) []string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	blank := func(c byte) bool { return c == ' ' || c == '\t' }
	var out []string
	i := 0
	for {
		for i < len(s) && blank(s[i]) {
			i++
		}
		if i >= len(s) {
			return out
		}
		var quote byte
		if s[i] == '"' || s[i] == '\'' {
			quote = s[i]
			i++
		}
		start := i
		for ; i < len(s); i++ {
			c := s[i]
			if c == '\\' && i+1 < len(s) && (blank(s[i+1]) || s[i+1] == '"' || s[i+1] == '\'') {
				i++
				continue
			}
			if (quote == 0 && blank(c)) || (quote != 0 && c == quote) {
				break
			}
		}
		out = append(out, removeEscapes(s[start:i]))
		if i < len(s) {
			i++ // the delimiter
		}
	}
}

// removeEscapes drops every backslash that is not escaped by the one
// before it (apr's REMOVE_ESCAPE_CHARS).
func removeEscapes(w string) string {
	if !strings.Contains(w, `\`) {
		return w
	}
	b := make([]byte, 0, len(w))
	escaped := false
	for i := 0; i < len(w); i++ {
		if !escaped && w[i] == '\\' {
			escaped = true
			continue
		}
		escaped = false
		b = append(b, w[i])
	}
	return string(b)
}

// StartError says why the program could not be run. Apache reports such a
// program as one that printed nothing; callers use it for a hint.
type StartError struct {
	Path string
	Err  error
}

func (e *StartError) Error() string { return fmt.Sprintf("cannot run %s: %v", e.Path, e.Err) }

func (e *StartError) Unwrap() error { return e.Err }

// Run executes argv (argv[0] an absolute path to the program) and returns
// the first line of its standard output without the line ending. The line
// may be empty. The error is a *StartError when the program could not be
// started, ErrTimeout when no line arrived within timeout (the program and
// its process group are then killed). Once the line is read the program is
// left to finish on its own, as Apache leaves it; it is reaped in the
// background.
func Run(argv []string, timeout time.Duration) (string, error) {
	if len(argv) == 0 || argv[0] == "" {
		return "", &StartError{Err: errors.New("no program")}
	}
	path := argv[0]
	r, w, err := os.Pipe()
	if err != nil {
		return "", &StartError{Path: path, Err: err}
	}
	cmd := &exec.Cmd{
		Path:        path,
		Args:        argv,
		Env:         []string{}, // Apache passes no environment
		Dir:         filepath.Dir(path),
		Stdout:      w,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
	}
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return "", &StartError{Path: path, Err: err}
	}
	r.SetReadDeadline(time.Now().Add(timeout))
	line, err := readLine(r)
	r.Close()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		return "", ErrTimeout
	}
	go cmd.Wait() // reap it; its exit status does not matter
	return line, nil
}

// readLine reads up to the first '\n' or '\r', the end of the output or
// MaxLine bytes; the value ends at a NUL byte as apr_pstrndup's copy does.
// The error is only a deadline.
func readLine(r io.Reader) (string, error) {
	buf := make([]byte, 0, 128)
	chunk := make([]byte, 512)
	for len(buf) < MaxLine {
		n, err := r.Read(chunk[:min(len(chunk), MaxLine-len(buf))])
		if i := bytes.IndexAny(chunk[:n], "\r\n"); i >= 0 {
			buf = append(buf, chunk[:i]...)
			break
		}
		buf = append(buf, chunk[:n]...)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return "", err
			}
			break
		}
	}
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		buf = buf[:i]
	}
	return string(buf), nil
}
