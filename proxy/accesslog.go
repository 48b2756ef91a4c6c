package proxy

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
	"github.com/oidcgate/oidcgate/internal/logsink"
)

// logRecord is what an access-log line can show about one exchange.
type logRecord struct {
	r        *http.Request
	srv      *apacheconf.Server
	status   int
	bytes    int64
	respHdr  http.Header
	start    time.Time
	duration time.Duration
	env      map[string]string
	user     string
	// uri is Apache's r->uri: the decoded, normalised path.
	uri string
	// requestLine, when set, is %r as Apache logs it (a request line over
	// LimitRequestLine is cut after limit+1 bytes).
	requestLine string
	// conn is the connection's keep-alive state for %k and %X (nil: not
	// known, an HTTP/2 stream).
	conn *statusWriter
}

// renderLog renders a compiled LogFormat as mod_log_config does, escaping
// values the way Apache escapes log items.
func renderLog(items []apacheconf.LogItem, rec *logRecord) string {
	var b strings.Builder
	for _, it := range items {
		if it.Directive == "" {
			b.WriteString(it.Literal)
			continue
		}
		if len(it.Statuses) > 0 {
			match := false
			for _, s := range it.Statuses {
				if s == rec.status {
					match = true
				}
			}
			if match == it.Negate {
				b.WriteString("-")
				continue
			}
		}
		b.WriteString(logValue(it, rec))
	}
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return escapeLog(s)
}

// escapeLog escapes a value as ap_escape_logitem: '"' and '\' with a
// backslash, \b \n \r \t \v by name, other control and non-ASCII bytes
// as \xhh.
func escapeLog(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\v':
			b.WriteString(`\v`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func logValue(it apacheconf.LogItem, rec *logRecord) string {
	r := rec.r
	switch it.Directive {
	case "h", "a":
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		return host
	case "A":
		if a := localAddr(r); a.IsValid() {
			return a.Addr().String()
		}
		return "-"
	case "l":
		return "-"
	case "u":
		return dash(rec.user)
	case "t":
		if it.Arg != "" {
			return "[" + rec.start.Format(strftimeToGo(it.Arg)) + "]"
		}
		return rec.start.Format("[02/Jan/2006:15:04:05 -0700]")
	case "r":
		if rec.requestLine != "" {
			return escapeLog(rec.requestLine)
		}
		return escapeLog(r.Method + " " + r.RequestURI + " " + r.Proto)
	case "s":
		return strconv.Itoa(rec.status)
	case "b":
		if rec.bytes == 0 {
			return "-"
		}
		return strconv.FormatInt(rec.bytes, 10)
	case "B":
		return strconv.FormatInt(rec.bytes, 10)
	case "O":
		return strconv.FormatInt(sentBytes(rec), 10)
	case "i":
		return dash(strings.Join(requestHeaderValues(r, it.Arg), ", "))
	case "o":
		if strings.EqualFold(it.Arg, "Content-Type") {
			// Apache logs the content type without its parameters.
			ct, _, _ := strings.Cut(rec.respHdr.Get("Content-Type"), ";")
			return dash(strings.TrimSpace(ct))
		}
		return dash(strings.Join(rec.respHdr.Values(it.Arg), ", "))
	case "e":
		return dash(rec.env[it.Arg])
	case "D":
		return strconv.FormatInt(rec.duration.Microseconds(), 10)
	case "T":
		switch it.Arg {
		case "ms":
			return strconv.FormatInt(rec.duration.Milliseconds(), 10)
		case "us":
			return strconv.FormatInt(rec.duration.Microseconds(), 10)
		}
		return strconv.FormatInt(int64(rec.duration.Seconds()), 10)
	case "v":
		return rec.srv.Name
	case "V":
		if h, err := NormalizeHost(r.Host); err == nil && h != "" {
			return h
		}
		return rec.srv.Name
	case "p":
		if a := localAddr(r); a.IsValid() {
			return strconv.Itoa(int(a.Port()))
		}
		return "-"
	case "U":
		return escapeLog(rec.uri)
	case "f":
		// r->filename as the request ended, not escaped (as Apache).
		if st := stateOf(r); st != nil && st.filename != "" {
			return st.filename
		}
		return "-"
	case "q":
		if r.URL.RawQuery == "" {
			return ""
		}
		return "?" + escapeLog(r.URL.RawQuery)
	case "H":
		return r.Proto
	case "m":
		return r.Method
	case "P":
		return strconv.Itoa(os.Getpid())
	case "X":
		return connStatus(rec)
	case "k":
		return strconv.FormatInt(keepAlives(rec), 10)
	}
	return "-"
}

// strftimeToGo converts the common strftime conversions of %{…}t.
func strftimeToGo(f string) string {
	f = strings.TrimPrefix(strings.TrimPrefix(f, "begin:"), "end:")
	r := strings.NewReplacer("%Y", "2006", "%m", "01", "%d", "02", "%H", "15", "%M", "04", "%S", "05", "%z", "-0700", "%b", "Jan", "%a", "Mon", "%y", "06", "%Z", "MST")
	return r.Replace(f)
}

// accessLogs writes access log lines to their targets. Each site opens
// its files afresh (a reload reopens rotated logs); piped loggers are
// shared between sites, so a reload keeps the running program.
type accessLogs struct {
	mu    sync.Mutex
	files map[string]io.Writer
	sinks []logsink.Sink
	// stderr receives the messages about targets that cannot be opened
	// (nil: os.Stderr).
	stderr io.Writer
	closed bool
	// exprs are the parsed expr= conditions.
	exprs exprCache
}

func newAccessLogs() *accessLogs { return &accessLogs{files: map[string]io.Writer{}} }

// pipeTarget is the piped logger spec of l as written ("|$cmd" runs a
// shell, "||cmd" the program itself).
func pipeTarget(l *apacheconf.AccessLog) string {
	if l.Shell {
		return "|$" + l.Target
	}
	return "||" + l.Target
}

// writer returns the writer for a target, opening files for append and
// starting piped programs once.
func (a *accessLogs) writer(l *apacheconf.AccessLog) io.Writer {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := l.Target
	if l.Pipe {
		key = pipeTarget(l)
	}
	if w, ok := a.files[key]; ok {
		return w
	}
	if a.closed {
		// a request finishing on a replaced site after its grace period
		return io.Discard
	}
	stderr := a.stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	var w io.Writer
	switch {
	case l.Pipe:
		p, err := logsink.AcquirePipe(key, stderr)
		if err != nil {
			// Apache refuses to start (AH00104); oidcgate serves without
			// this log and says so once.
			fmt.Fprintf(stderr, "AH00104: unable to start piped log program '%s': %v (CustomLog at %s)\n", l.Target, err, l.Pos)
			w = io.Discard
		} else {
			a.sinks = append(a.sinks, p)
			w = p
		}
	case l.Target == "/dev/stdout":
		w = os.Stdout
	case l.Target == "/dev/stderr":
		w = os.Stderr
	default:
		f, err := logsink.OpenFile(l.Target)
		if err != nil {
			fmt.Fprintf(stderr, "AH00649: could not open transfer log file %s: %v (CustomLog at %s)\n", l.Target, err, l.Pos)
			w = io.Discard
		} else {
			a.sinks = append(a.sinks, f)
			w = f
		}
	}
	a.files[key] = w
	return w
}

// log writes one exchange to every access log of the server whose
// condition holds.
func (a *accessLogs) log(rec *logRecord) {
	if rec.srv.Log == nil {
		return
	}
	for _, l := range rec.srv.Log.Access {
		if l.Format == nil {
			continue
		}
		if l.EnvVar != "" {
			_, set := rec.env[l.EnvVar]
			if set == l.EnvNegate {
				continue
			}
		}
		if l.Expr != "" && !a.exprHolds(l, rec) {
			continue
		}
		line := renderLog(l.Format.Items, rec) + "\n"
		w := a.writer(l)
		a.mu.Lock()
		io.WriteString(w, line)
		a.mu.Unlock()
	}
}

// exprHolds evaluates a CustomLog expr= condition when the request is
// logged, as mod_log_config does: false or an evaluation error (Apache's
// AH00644) skips the line.
func (a *accessLogs) exprHolds(l *apacheconf.AccessLog, rec *logRecord) bool {
	e, err := a.exprs.parse(l.Expr, expr.Boolean)
	if err != nil {
		return false
	}
	v := logVars{respVars: respVars{Vars: reqVars{r: rec.r, env: rec.env, user: rec.user, srv: rec.srv, now: rec.start}, resp: rec.respHdr}, status: rec.status}
	ok, err := e.Bool(v)
	return err == nil && ok
}

// logVars adds what is known at logging time: the final status.
type logVars struct {
	respVars
	status int
}

func (v logVars) Var(name string) string {
	if name == "REQUEST_STATUS" {
		return strconv.Itoa(v.status)
	}
	return v.respVars.Var(name)
}

// close closes the files opened for this site and releases its piped
// loggers.
func (a *accessLogs) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.sinks {
		s.Close()
	}
	a.sinks = nil
	a.files = map[string]io.Writer{}
	a.closed = true
}

// statusWriter records what the handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	// multiplexed: an HTTP/2 stream, whose status drops no connection.
	multiplexed bool
	// ka sets Connection and Keep-Alive (http10.go); nil for HTTP/2.
	ka *keepAlive
	// aborted: writing the response to the client failed (%X).
	aborted bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.ka != nil && w.ka.ownContinue(code) {
		return
	}
	if w.status == 0 {
		w.status = code
	}
	if !w.multiplexed {
		dropConnection(w.ResponseWriter, code)
	}
	if w.ka != nil && code >= 200 {
		w.ka.apply(w.ResponseWriter.Header(), code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
		if w.ka != nil {
			w.ka.apply(w.ResponseWriter.Header(), http.StatusOK)
		}
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	if err != nil {
		w.aborted = true
	}
	return n, err
}

// Flush lets streamed responses through.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer (websocket
// upgrades hijack it).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// kept reports whether the connection is kept after the response (the
// decision keepAlive.apply made when the head went out).
func (rec *logRecord) kept() bool {
	return rec.conn != nil && rec.conn.ka != nil && rec.conn.ka.done && rec.conn.ka.keep
}

// connStatus is %X: "X" when the response could not be written to the
// client, "+" when the connection is kept after it, "-" when it is
// closed. An HTTP/2 stream's connection stays: "+".
func connStatus(rec *logRecord) string {
	switch {
	case rec.conn != nil && rec.conn.aborted:
		return "X"
	case rec.conn == nil || rec.conn.ka == nil:
		if rec.r.ProtoMajor > 1 {
			return "+"
		}
		return "-"
	case rec.kept():
		return "+"
	}
	return "-"
}

// keepAlives is %k as mod_log_config logs it: the connection's kept-alive
// responses before this request's (measured on 2.4.71: 0, 1, 2 for three
// kept-alive requests, 2 again for a fourth that closes the connection,
// 0 for a single request). Every earlier request on a connection was
// kept, or the connection would have ended.
func keepAlives(rec *logRecord) int64 {
	if rec.conn == nil || rec.conn.ka == nil || rec.conn.ka.requests == nil {
		return 0
	}
	n := rec.conn.ka.requests.Load() // this request included
	if !rec.kept() {
		n--
	}
	return max(n-1, 0)
}
