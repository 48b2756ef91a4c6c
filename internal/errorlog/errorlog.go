// Package errorlog is Apache's error log on log/slog: the ErrorLog
// targets of the main server and of each virtual host (files resolved
// against ServerRoot, /dev/stderr, /dev/stdout, piped programs), LogLevel
// with per-module levels, and Apache's default line shape
//
//	[Tue Dec 01 14:07:20.506178 2026] [proxy:error] [pid 19958:tid 19976] [client 127.0.0.1:36342] message
//
// or JSON on standard error for containers (--log-format json).
//
// A line says its module with the "module" attribute (Module), the virtual
// host it concerns with Server, the client with Client; lines without a
// module are core's, lines without a server go to the main server's log.
// The Logs value stays valid across reloads: Configure swaps the targets
// (reopening every file, which is how Apache's logs are rotated) under the
// loggers already handed out.
package errorlog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/internal/logsink"
)

// Attribute keys with a meaning to the error log.
const (
	ModuleKey = "module"
	ServerKey = "vhost"
	ClientKey = "client"
)

// Module tags a line (or a logger, with With) with its module: "proxy",
// "auth_openidc", "core".
func Module(name string) slog.Attr { return slog.String(ModuleKey, name) }

// Server routes a line to the error log of a virtual host. Other
// handlers see the server's name.
func Server(s *apacheconf.Server) slog.Attr { return slog.Any(ServerKey, serverRef{s}) }

// serverRef carries the server to this package's handler and logs as the
// server's name elsewhere.
type serverRef struct{ s *apacheconf.Server }

func (r serverRef) LogValue() slog.Value { return slog.StringValue(serverName(r.s)) }

// Client adds Apache's "[client ip:port]" to a line.
func Client(addr string) slog.Attr { return slog.String(ClientKey, addr) }

// Options are the process-level choices.
type Options struct {
	// JSON writes every line as JSON on Stderr, whatever ErrorLog says
	// (the --log-format json flag for containers). LogLevel still applies.
	JSON bool
	// Stderr and Stdout are the process's streams (nil: os.Stderr,
	// os.Stdout).
	Stderr, Stdout io.Writer
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Logs is the error log of a running configuration.
type Logs struct {
	opts   Options
	stderr *logsink.Stream
	stdout *logsink.Stream
	mu     sync.Mutex // serialises Configure and Close
	cur    atomic.Pointer[state]
}

type state struct {
	main   *target
	vhosts map[*apacheconf.Server]*target
	sinks  []logsink.Sink
}

type target struct {
	w      io.Writer
	levels Levels
	json   *slog.JSONHandler
}

func (st *state) target(s *apacheconf.Server) *target {
	if t, ok := st.vhosts[s]; ok {
		return t
	}
	return st.main
}

// New returns logs writing to standard error at Apache's default level
// until Configure is called.
func New(opts Options) *Logs {
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	l := &Logs{opts: opts, stderr: &logsink.Stream{W: opts.Stderr}, stdout: &logsink.Stream{W: opts.Stdout}}
	l.cur.Store(&state{main: l.newTarget(l.stderr, DefaultLevels)})
	return l
}

func (l *Logs) newTarget(w io.Writer, lv Levels) *target {
	t := &target{w: w, levels: lv}
	if l.opts.JSON {
		t.json = slog.NewJSONHandler(w, &slog.HandlerOptions{Level: LevelTrace8, ReplaceAttr: jsonLevel})
	}
	return t
}

// jsonLevel writes levels with Apache's names ("error", "notice", "trace3").
func jsonLevel(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.LevelKey {
		if lv, ok := a.Value.Any().(slog.Level); ok {
			return slog.String(slog.LevelKey, LevelName(lv))
		}
	}
	return a
}

// Target describes where a server's error log goes, for messages.
func Target(root, errorLog string) string {
	switch {
	case errorLog == "":
		return "standard error"
	case strings.HasPrefix(errorLog, "|"), strings.HasPrefix(errorLog, "syslog"), errorLog == "/dev/stderr", errorLog == "/dev/stdout":
		return errorLog
	}
	return resolve(root, errorLog)
}

func resolve(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}

// ErrSyslog says that ErrorLog syslog is not supported.
var ErrSyslog = errors.New("ErrorLog syslog is not supported: oidcgate writes this server's error log to standard error instead (log to a file, /dev/stderr or a piped logger such as \"|/usr/bin/logger -t apache2\")")

// Configure opens the error logs of cfg (every file afresh: a reload
// reopens rotated files) and switches the loggers to them; the previous
// targets are closed. A target that cannot be opened falls back to
// standard error; its error is returned (the rest is configured). With
// Options.JSON every target is standard error.
func (l *Logs) Configure(cfg *apacheconf.Config) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := &state{vhosts: map[*apacheconf.Server]*target{}}
	opened := map[string]io.Writer{}
	var errs []error
	open := func(spec string) io.Writer {
		if l.opts.JSON || spec == "" || spec == "/dev/stderr" {
			return l.stderr
		}
		if spec == "/dev/stdout" {
			return l.stdout
		}
		key := Target(cfg.ServerRoot, spec)
		if w, ok := opened[key]; ok {
			return w
		}
		var s logsink.Sink
		var err error
		switch {
		case strings.HasPrefix(spec, "syslog"):
			err = ErrSyslog
		case strings.HasPrefix(spec, "|"):
			s, err = logsink.AcquirePipe(spec, l.opts.Stderr)
		default:
			s, err = logsink.OpenFile(key)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("ErrorLog %s: %w", spec, err))
			opened[key] = l.stderr
			return l.stderr
		}
		st.sinks = append(st.sinks, s)
		opened[key] = s
		return s
	}
	mainLog := ""
	if cfg.Main.Log != nil {
		mainLog = cfg.Main.Log.ErrorLog
	}
	var overridden []string
	note := func(s *apacheconf.Server) {
		if l.opts.JSON && s.Log != nil && s.Log.ErrorLog != "" && s.Log.ErrorLog != "/dev/stderr" && (s == cfg.Main || s.Log.ErrorLog != mainLog) {
			overridden = append(overridden, s.Log.ErrorLog+" ("+s.Log.ErrorLogPos.String()+")")
		}
	}
	note(cfg.Main)
	st.main = l.newTarget(open(mainLog), levelsOf(cfg.Main))
	for _, vh := range cfg.VHosts {
		spec := mainLog
		if vh.Log != nil && vh.Log.ErrorLog != "" {
			spec = vh.Log.ErrorLog
		}
		note(vh)
		st.vhosts[vh] = l.newTarget(open(spec), levelsOf(vh))
	}
	old := l.cur.Swap(st)
	if old != nil {
		for _, s := range old.sinks {
			s.Close()
		}
	}
	if len(overridden) > 0 {
		l.Logger().Log(context.Background(), LevelNotice, "--log-format json: the error log is written as JSON on standard error; ErrorLog not used",
			"errorlog", strings.Join(overridden, ", "))
	}
	return errors.Join(errs...)
}

func levelsOf(s *apacheconf.Server) Levels {
	if s.Log == nil {
		return DefaultLevels
	}
	return LevelsOf(s.Log.Level)
}

// Close closes the files and piped programs.
func (l *Logs) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.cur.Swap(&state{main: l.newTarget(l.stderr, DefaultLevels)})
	for _, s := range old.sinks {
		s.Close()
	}
}

// Logger is the error log as a slog.Logger (core's lines, the main
// server's log unless a line names its server).
func (l *Logs) Logger() *slog.Logger { return slog.New(&handler{logs: l}) }

// handler formats and routes records.
type handler struct {
	logs   *Logs
	module string
	server *apacheconf.Server
	client string
	// attrs are the logger's other attributes, prefix the group names
	// opened with WithGroup.
	attrs  []slog.Attr
	prefix string
}

func (h *handler) Enabled(_ context.Context, lv slog.Level) bool {
	t := h.logs.cur.Load().target(h.server)
	if h.module == "" {
		// the record may still name its module
		return lv >= t.levels.Min() || lv == LevelNotice
	}
	return t.levels.enabled(h.module, lv)
}

// enabled applies the module's level; notices are always written, as
// Apache writes them whatever LogLevel says (log_error_core lets
// APLOG_NOTICE through; its start and stop lines rely on it) [obs:
// LogLevel crit still logs mpm_event's AH00489 and AH00491].
func (l Levels) enabled(module string, lv slog.Level) bool {
	return lv >= l.For(module) || lv == LevelNotice
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range as {
		if h.prefix == "" && h2.special(a) {
			continue
		}
		if h.prefix != "" {
			a.Key = h.prefix + a.Key
		}
		h2.attrs = append(h2.attrs, a)
	}
	return &h2
}

// special takes the routing attributes; it reports whether a was one.
func (h *handler) special(a slog.Attr) bool {
	switch a.Key {
	case ModuleKey:
		h.module = a.Value.String()
	case ServerKey:
		r, ok := a.Value.Any().(serverRef)
		if !ok {
			return false
		}
		h.server = r.s
	case ClientKey:
		h.client = a.Value.String()
	default:
		return false
	}
	return true
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	rh := *h
	var attrs []slog.Attr
	r.Attrs(func(a slog.Attr) bool {
		if h.prefix == "" && rh.special(a) {
			return true
		}
		if h.prefix != "" {
			a.Key = h.prefix + a.Key
		}
		attrs = append(attrs, a)
		return true
	})
	module := ModuleName(rh.module)
	t := h.logs.cur.Load().target(rh.server)
	if !t.levels.enabled(module, r.Level) {
		return nil
	}
	if t.json != nil {
		out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
		out.AddAttrs(slog.String(ModuleKey, module))
		if rh.server != nil {
			out.AddAttrs(slog.String("server", serverName(rh.server)))
		}
		if rh.client != "" {
			out.AddAttrs(slog.String(ClientKey, rh.client))
		}
		out.AddAttrs(h.attrs...)
		out.AddAttrs(attrs...)
		return t.json.Handle(ctx, out)
	}
	line := formatLine(r.Time, module, r.Level, rh.client, r.Message, append(append([]slog.Attr(nil), h.attrs...), attrs...))
	_, err := io.WriteString(t.w, line)
	return err
}

func serverName(s *apacheconf.Server) string {
	if s.Name != "" {
		return s.Name
	}
	return s.Pos.String()
}

// formatLine writes Apache's default error log line (ErrorLogFormat
// unset):
//
//	[%{u}t] [%-m:%l] [pid %P:tid %T] [client %a] %M
//
// The line's other attributes follow the message as ", key: value", the
// way Apache appends ", referer: …".
func formatLine(t time.Time, module string, lv slog.Level, client, msg string, attrs []slog.Attr) string {
	var b strings.Builder
	b.Grow(128 + len(msg))
	b.WriteByte('[')
	b.WriteString(t.Format("Mon Jan 02 15:04:05.000000 2006"))
	b.WriteString("] [")
	b.WriteString(module)
	b.WriteByte(':')
	b.WriteString(LevelName(lv))
	b.WriteString("] [pid ")
	b.WriteString(strconv.Itoa(os.Getpid()))
	b.WriteString(":tid ")
	b.WriteString(strconv.Itoa(gettid()))
	b.WriteString("] ")
	if client != "" {
		b.WriteString("[client ")
		b.WriteString(client)
		b.WriteString("] ")
	}
	b.WriteString(escape(msg))
	for _, a := range attrs {
		writeAttr(&b, "", a)
	}
	b.WriteByte('\n')
	return b.String()
}

func writeAttr(b *strings.Builder, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			writeAttr(b, p, g)
		}
		return
	}
	if a.Key == "" && v.Any() == nil {
		return
	}
	b.WriteString(", ")
	b.WriteString(escape(prefix + a.Key))
	b.WriteString(": ")
	b.WriteString(escape(v.String()))
}

// escape keeps a line on one line: control bytes as \n, \t or \xhh, as
// Apache's ap_escape_logitem.
func escape(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
