// Package logsink holds the destinations Apache writes logs to: files
// (reopened on reload, for rotation), the standard streams, and piped
// loggers (a program reading the lines on its standard input, restarted
// when it dies, as Apache's reliable piped logs are).
package logsink

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Sink is where log lines go. Write takes whole lines.
type Sink interface {
	io.Writer
	// Reopen reopens a file by its name (after a rotation); a no-op for
	// the other sinks.
	Reopen() error
	Close() error
}

// File is a log file opened for append.
type File struct {
	mu   sync.Mutex
	path string
	f    *os.File
}

// logPerm is the mode a new log file gets before the umask: Apache's
// APR_OS_DEFAULT (0644 under the usual umask 022; measured on 2.4.71), so
// that a log reader in Debian's adm group can read the files oidcgate
// creates in /var/log/apache2 as it reads Apache's.
const logPerm = 0o666

// OpenFile opens (creating) path for append, as Apache opens logs.
func OpenFile(path string) (*File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, logPerm)
	if err != nil {
		return nil, err
	}
	return &File{path: path, f: f}, nil
}

// Path is the file's name.
func (f *File) Path() string { return f.path }

func (f *File) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f == nil {
		return 0, os.ErrClosed
	}
	return f.f.Write(p)
}

// Reopen opens the file again by name; lines written after it go to the
// new file (the old one may have been renamed by a rotation).
func (f *File) Reopen() error {
	nf, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, logPerm)
	if err != nil {
		return err
	}
	f.mu.Lock()
	old := f.f
	f.f = nf
	f.mu.Unlock()
	if old != nil {
		return old.Close()
	}
	return nil
}

func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	return err
}

// Stream is a standard stream (or any writer the caller keeps open).
type Stream struct {
	mu sync.Mutex
	W  io.Writer
}

func (s *Stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.W.Write(p)
}

// Reopen does nothing: the stream stays open.
func (s *Stream) Reopen() error { return nil }

// Close does nothing: the stream belongs to the process.
func (s *Stream) Close() error { return nil }

// ParsePiped splits a piped log target as Apache reads it: "|cmd" and
// "||cmd" run the program directly, not looked up in PATH (its arguments
// split as apr_tokenize_to_argv does, quotes honoured), "|$cmd" runs it
// through /bin/sh -c [obs: Apache 2.4.71 refuses "|cat > f" with AH00104
// "unable to start piped log program", and "|$cat > f" writes f]. ok is false when target is not piped.
func ParsePiped(target string) (argv []string, ok bool) {
	if !strings.HasPrefix(target, "|") {
		return nil, false
	}
	cmd := target[1:]
	shell := false
	switch {
	case strings.HasPrefix(cmd, "|"):
		cmd = cmd[1:]
	case strings.HasPrefix(cmd, "$"):
		cmd, shell = cmd[1:], true
	}
	if shell {
		return []string{"/bin/sh", "-c", cmd}, true
	}
	return tokenize(cmd), true
}

// tokenize splits a command line into words: blanks separate, "..." and
// '...' group, a backslash takes the next byte.
func tokenize(s string) []string {
	var out []string
	var b strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
			in = true
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			b.WriteByte(c)
		case c == '"' || c == '\'':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				out = append(out, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, b.String())
	}
	return out
}

// Pipe is a piped logger: a program that reads log lines on its standard
// input. Like Apache's piped logs, the program is started again when it
// exits while the log is open. Pipes are shared by target: every
// AcquirePipe of the same target returns the same process, which stops
// when the last holder closes it — so a reload does not start a second
// rotatelogs on the same file.
type Pipe struct {
	target string
	argv   []string
	stderr io.Writer

	mu     sync.Mutex
	refs   int
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{}
	closed bool
	// Starts counts the processes started (1 + restarts); for tests.
	starts int
}

var (
	pipesMu sync.Mutex
	pipes   = map[string]*Pipe{}
)

// restartDelay spaces restarts of a program that keeps dying.
var restartDelay = 100 * time.Millisecond

// AcquirePipe starts (or shares) the piped logger for target ("|cmd",
// "||cmd", "|$cmd"). The program's standard error is stderr.
func AcquirePipe(target string, stderr io.Writer) (*Pipe, error) {
	argv, ok := ParsePiped(target)
	if !ok || len(argv) == 0 {
		return nil, errors.New("no command to pipe the log to: " + target)
	}
	pipesMu.Lock()
	defer pipesMu.Unlock()
	if p, ok := pipes[target]; ok {
		p.mu.Lock()
		p.refs++
		p.mu.Unlock()
		return p, nil
	}
	p := &Pipe{target: target, argv: argv, stderr: stderr, refs: 1}
	p.mu.Lock()
	err := p.startLocked()
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	pipes[target] = p
	return p, nil
}

func (p *Pipe) startLocked() error {
	// As Apache (APR_PROGRAM_ENV): the program is not looked up in PATH.
	cmd := &exec.Cmd{Path: p.argv[0], Args: p.argv}
	cmd.Stdout, cmd.Stderr = p.stderr, p.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	p.cmd, p.stdin, p.exited = cmd, stdin, make(chan struct{})
	p.starts++
	go p.watch(cmd, p.exited)
	return nil
}

// watch restarts the program when it exits while the pipe is open.
func (p *Pipe) watch(cmd *exec.Cmd, exited chan struct{}) {
	_ = cmd.Wait()
	close(exited)
	time.Sleep(restartDelay)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.cmd != cmd {
		return
	}
	p.stdin.Close()
	if p.stderr != nil {
		// Apache's words when it respawns a piped logger
		io.WriteString(p.stderr, "piped log program '"+p.target+"' failed unexpectedly\n")
	}
	if err := p.startLocked(); err != nil {
		p.cmd, p.stdin = nil, nil
		if p.stderr != nil {
			io.WriteString(p.stderr, "oidcgate: piped logger "+p.target+" could not be restarted: "+err.Error()+"\n")
		}
	}
}

// Starts is how many times the program has been started.
func (p *Pipe) Starts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.starts
}

// Write sends lines to the program; while it is being restarted, lines
// are lost (Apache's writes fail the same way).
func (p *Pipe) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stdin == nil {
		return 0, errors.New("piped logger not running: " + p.target)
	}
	return p.stdin.Write(b)
}

// Reopen does nothing: the program keeps running across reloads.
func (p *Pipe) Reopen() error { return nil }

// Close releases this holder; the last one closes the program's input
// and waits (up to two seconds) for it to finish.
func (p *Pipe) Close() error {
	pipesMu.Lock()
	p.mu.Lock()
	p.refs--
	if p.refs > 0 {
		p.mu.Unlock()
		pipesMu.Unlock()
		return nil
	}
	delete(pipes, p.target)
	pipesMu.Unlock()
	p.closed = true
	cmd, stdin, exited := p.cmd, p.stdin, p.exited
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	stdin.Close()
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		_ = cmd.Process.Kill()
	}
	return nil
}
