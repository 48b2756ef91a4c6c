package apacheconf

import (
	"path/filepath"
	"strings"
)

// mod_log_config (LogFormat, CustomLog, TransferLog, GlobalLog,
// BufferedLogs) and core's error log (ErrorLog, ErrorLogFormat, LogLevel):
// formats compiled at load time into typed items.

var logHandlers = map[string]handler{
	"logformat":      compileLogFormatDirective,
	"customlog":      compileCustomLog,
	"globallog":      compileCustomLog,
	"transferlog":    compileCustomLog,
	"bufferedlogs":   compileBufferedLogs,
	"errorlog":       compileErrorLog,
	"errorlogformat": compileErrorLogFormat,
	"loglevel":       compileLogLevel,
}

// clfFormat is Apache's DEFAULT_LOG_FORMAT, the "CLF" nickname and the
// format of TransferLog when no default LogFormat is given.
const clfFormat = `%h %l %u %t "%r" %>s %b`

// LogItem is one piece of a compiled access log format: literal text, or a
// %-directive with its modifiers.
type LogItem struct {
	// Literal is the text of a literal item (backslash escapes \n \r \t \\
	// already applied).
	Literal string
	// Tag is the directive ("h", "s", "i", "^ti", "I", "x", ...); "" for a
	// literal.
	Tag string
	// Arg is the {argument}, "" when none.
	Arg string
	// Statuses and NotStatuses are the %400,501 and %!200 conditions: the
	// item logs "-" unless the final status is (is not) listed.
	Statuses    []int
	NotStatuses bool
	// Original is true when the item is taken from the original request
	// rather than the final one after internal redirects: the default for
	// %s %U %r %T %D %L %R, overridden by %< (original) and %> (final).
	Original bool
}

// LogFormat is a compiled access log format.
type LogFormat struct {
	Pos Pos
	// Raw is the format string as written.
	Raw   string
	Items []LogItem
}

// logTags are the %-directives mod_log_config registers; the value is
// whether the item reads the original request by default (want_orig).
var logTags = map[string]bool{
	"h": false, "a": false, "A": false, "l": false, "u": false, "t": false, "f": false, "b": false, "B": false,
	"i": false, "o": false, "n": false, "L": true, "e": false, "V": false, "v": false, "p": false, "P": false,
	"H": false, "m": false, "q": false, "X": false, "C": false, "k": false, "r": true, "D": true, "T": true,
	"U": true, "s": true, "R": true, "^ti": false, "^to": false,
}

// moduleLogTags are registered by other modules, when those are loaded.
var moduleLogTags = map[string]string{
	"I": "logio_module", "O": "logio_module", "S": "logio_module", "^FB": "logio_module",
	"c": "ssl_module", "x": "ssl_module",
}

// hasLogTag reports whether tag is registered with the given modules
// loaded (mods nil: all of them).
func hasLogTag(tag string, mods *ModuleSet) bool {
	if _, ok := logTags[tag]; ok {
		return true
	}
	m, ok := moduleLogTags[tag]
	return ok && (mods == nil || mods.Has(m))
}

// parseLogFormat compiles an access log format as mod_log_config's
// parse_log_string does and returns Apache's error text for bad input.
func parseLogFormat(s string, mods *ModuleSet) (*LogFormat, string) {
	f := &LogFormat{Raw: s}
	for len(s) > 0 {
		if s[0] != '%' {
			lit, rest := logLiteral(s)
			f.Items = append(f.Items, LogItem{Literal: lit})
			s = rest
			continue
		}
		if len(s) > 1 && s[1] == '%' {
			f.Items = append(f.Items, LogItem{Literal: "%"})
			s = s[2:]
			continue
		}
		it, rest, msg := parseLogItem(s[1:], mods)
		if msg != "" {
			return nil, msg
		}
		f.Items = append(f.Items, it)
		s = rest
	}
	return f, ""
}

// logLiteral reads literal text up to the next '%', applying the escapes
// \\ \r \n \t (any other backslash is kept).
func logLiteral(s string) (string, string) {
	var b strings.Builder
	i := 0
	for i < len(s) && s[i] != '%' {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		default:
			b.WriteByte('\\')
			i++
			continue
		}
		i += 2
	}
	return b.String(), s[i:]
}

// parseLogItem reads the modifiers and the directive after a '%'.
func parseLogItem(s string, mods *ModuleSet) (LogItem, string, string) {
	var it LogItem
	orig := -1
	for len(s) > 0 {
		switch c := s[0]; {
		case c == '!':
			it.NotStatuses = !it.NotStatuses
			s = s[1:]
		case c == '<':
			orig = 1
			s = s[1:]
		case c == '>':
			orig = 0
			s = s[1:]
		case c == ',':
			s = s[1:]
		case c == '{':
			end := strings.IndexByte(s, '}')
			if end < 0 {
				it.Arg, s = s[1:], ""
			} else {
				it.Arg, s = s[1:end], s[end+1:]
			}
		case c >= '0' && c <= '9':
			n, j := 0, 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				if n < 1<<20 {
					n = n*10 + int(s[j]-'0')
				}
				j++
			}
			it.Statuses = append(it.Statuses, n)
			s = s[j:]
		default:
			tag := ""
			if c == '^' && len(s) >= 3 && hasLogTag(s[:3], mods) {
				tag = s[:3]
			} else if hasLogTag(s[:1], mods) {
				tag = s[:1]
			} else {
				return it, "", "Unrecognized LogFormat directive %" + s[:1]
			}
			it.Tag = tag
			if orig == -1 {
				it.Original = logTags[tag]
			} else {
				it.Original = orig == 1
			}
			return it, s[len(tag):], ""
		}
	}
	return it, "", "Ran off end of LogFormat parsing args to some directive"
}

// AccessLog is one CustomLog, GlobalLog or TransferLog line.
type AccessLog struct {
	Pos Pos
	// Directive is "CustomLog", "GlobalLog" or "TransferLog".
	Directive string
	// Path is the log file, made absolute against ServerRoot; empty for a
	// pipe.
	Path string
	// Pipe is the command of a "|command" target; PipeNoShell is true for
	// "||command" (run without a shell).
	Pipe        string
	PipeNoShell bool
	// FormatArg is the second argument as written: a LogFormat nickname, or
	// an inline format ("" for TransferLog: the default format).
	FormatArg string
	// Inline is FormatArg compiled as a format string, as Apache does when
	// the line is read; it is used when FormatArg is not a nickname.
	Inline *LogFormat
	// EnvVar/EnvNegate are env=[!]VAR; Expr is expr=EXPR as written.
	EnvVar    string
	EnvNegate bool
	Expr      string
	// Global is true for GlobalLog: virtual hosts with their own logs still
	// write this one.
	Global bool
}

// LogLevel is Apache's error log verbosity: emerg (0) … debug (7), trace1
// (8) … trace8 (15).
type LogLevel int8

var logLevelNames = []string{"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
	"trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8"}

func (l LogLevel) String() string {
	if l >= 0 && int(l) < len(logLevelNames) {
		return logLevelNames[l]
	}
	return "unset"
}

// LogLevelWarn is Apache's default LogLevel.
const LogLevelWarn LogLevel = 4

const logLevelErr = "Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8"

func parseLogLevelName(s string) (LogLevel, bool) {
	for i, n := range logLevelNames {
		if strings.EqualFold(s, n) {
			return LogLevel(i), true
		}
	}
	return 0, false
}

// ModuleLogLevel is one "module:level" word of LogLevel.
type ModuleLogLevel struct {
	// Module is the module identifier ("ssl_module"), whatever form was
	// written (ssl, ssl_module, mod_ssl.c).
	Module string
	Level  LogLevel
}

// ErrorLogTarget is the ErrorLog directive: a file, "|command" or
// "syslog[:facility]".
type ErrorLogTarget struct {
	Pos Pos
	// Raw is the argument as written.
	Raw string
	// Path is the file made absolute against ServerRoot ("" for pipes and
	// syslog).
	Path        string
	Pipe        string
	PipeNoShell bool
	// Syslog is true for "syslog" and "syslog:facility"; SyslogFacility is
	// the part after the colon.
	Syslog         bool
	SyslogFacility string
}

// LogServer holds a server's logging settings.
type LogServer struct {
	// Formats are the LogFormat nicknames (case-sensitive), "CLF" included.
	// A virtual host sees the main server's nicknames with its own laid
	// over them.
	Formats map[string]*LogFormat
	// Default is set by a LogFormat with one argument: the format of
	// TransferLog and of a CustomLog without usable format. When its Raw
	// text is a nickname, that nickname's format is used (Apache resolves
	// it when the logs are opened). nil: CLF; a virtual host without one
	// uses the main server's.
	Default *LogFormat
	// Logs are this server's CustomLog/GlobalLog/TransferLog lines in file
	// order.
	Logs []*AccessLog
	// MainLogs, for a virtual host, are the main server's Logs: written when
	// the host has no Logs of its own, and the Global ones always.
	MainLogs []*AccessLog
	// BufferedLogs; default Off; one process-wide setting in Apache (the
	// last line wins), kept per server as written.
	BufferedLogs *bool
	// ErrorLog; Apache's default is logs/error_log under ServerRoot
	// (Debian sets ${APACHE_LOG_DIR}/error.log); a virtual host without one
	// writes to the main server's.
	ErrorLog *ErrorLogTarget
	// ErrorLogFormat is the main error log format as written ("" for
	// Apache's default), validated as Apache does; ErrorLogRequest and
	// ErrorLogConnection are the once-per-request/connection formats. A
	// virtual host inherits the main server's unless it sets the main
	// format.
	ErrorLogFormat     string
	ErrorLogRequest    []string
	ErrorLogConnection []string
	// Level is the server's LogLevel (nil: unset; Apache's default warn).
	// Setting it drops the module levels written before it; a virtual
	// host without one inherits the main server's level and module levels,
	// its own module levels laid over them.
	Level        *LogLevel
	ModuleLevels []ModuleLogLevel
}

// MergeVHost returns the settings of a virtual host: vh on top of main.
func (main *LogServer) MergeVHost(vh *LogServer) *LogServer {
	if main == nil {
		main = &LogServer{}
	}
	if vh == nil {
		vh = &LogServer{}
	}
	out := *vh
	out.Formats = map[string]*LogFormat{}
	for k, v := range main.Formats {
		out.Formats[k] = v
	}
	for k, v := range vh.Formats {
		out.Formats[k] = v
	}
	out.Logs = append([]*AccessLog(nil), vh.Logs...)
	out.MainLogs = append([]*AccessLog(nil), main.Logs...)
	if out.Default == nil {
		out.Default = main.Default
	}
	if out.BufferedLogs == nil {
		out.BufferedLogs = main.BufferedLogs
	}
	if out.ErrorLog == nil {
		out.ErrorLog = main.ErrorLog
	}
	if out.ErrorLogFormat == "" {
		out.ErrorLogFormat = main.ErrorLogFormat
	}
	if out.ErrorLogRequest == nil {
		out.ErrorLogRequest = main.ErrorLogRequest
	}
	if out.ErrorLogConnection == nil {
		out.ErrorLogConnection = main.ErrorLogConnection
	}
	out.ErrorLogRequest = append([]string(nil), out.ErrorLogRequest...)
	out.ErrorLogConnection = append([]string(nil), out.ErrorLogConnection...)
	if vh.Level != nil {
		out.ModuleLevels = append([]ModuleLogLevel(nil), vh.ModuleLevels...)
	} else {
		out.Level = main.Level
		out.ModuleLevels = append([]ModuleLogLevel(nil), main.ModuleLevels...)
		for _, ml := range vh.ModuleLevels {
			out.ModuleLevels = setModuleLevel(out.ModuleLevels, ml)
		}
	}
	return &out
}

// LogTarget is one access log a server writes, with its format resolved.
type LogTarget struct {
	Log    *AccessLog
	Format *LogFormat
}

// Targets returns the access logs the server writes, with nicknames
// resolved as Apache does when it opens the logs: the server's own logs,
// or the main server's when it has none, plus the main server's GlobalLogs.
// It builds no formats; call it once when setting up logging.
func (s *LogServer) Targets() []LogTarget {
	if s == nil {
		return nil
	}
	def := s.Default
	if def != nil {
		if f, ok := s.Formats[def.Raw]; ok {
			def = f
		}
	}
	if def == nil {
		def = defaultCLF()
	}
	var out []LogTarget
	add := func(l *AccessLog) {
		f := def
		if l.FormatArg != "" {
			if named, ok := s.Formats[l.FormatArg]; ok {
				f = named
			} else if l.Inline != nil {
				f = l.Inline
			}
		}
		out = append(out, LogTarget{Log: l, Format: f})
	}
	for _, l := range s.Logs {
		add(l)
	}
	for _, l := range s.MainLogs {
		if l.Global || len(s.Logs) == 0 {
			add(l)
		}
	}
	return out
}

func defaultCLF() *LogFormat {
	f, _ := parseLogFormat(clfFormat, nil)
	return f
}

func logServer(c *walkCtx) *LogServer {
	if c.Srv.Log == nil {
		c.Srv.Log = &LogServer{Formats: map[string]*LogFormat{"CLF": defaultCLF()}}
	}
	return c.Srv.Log
}

// optArgs returns n's arguments with the trailing empty ones dropped:
// Apache's TAKE12/TAKE23 pass an empty optional word as missing.
func optArgs(n *Node) []string {
	args := n.Strings()
	for len(args) > 1 && args[len(args)-1] == "" {
		args = args[:len(args)-1]
	}
	return args
}

func compileLogFormatDirective(c *walkCtx, n *Node) {
	args := optArgs(n)
	f, msg := parseLogFormat(n.Args[0].Text, c.Modules)
	if msg != "" {
		c.errorf(n, "", "%s", msg)
		return
	}
	f.Pos = n.Pos
	ls := logServer(c)
	if len(args) == 2 {
		ls.Formats[args[1]] = f
	} else {
		ls.Default = f
	}
}

// compileCustomLog handles CustomLog, GlobalLog and TransferLog.
func compileCustomLog(c *walkCtx, n *Node) {
	l := &AccessLog{Pos: n.Pos, Directive: c.Spec.Name, Global: strings.EqualFold(c.Spec.Name, "GlobalLog")}
	args := optArgs(n)
	l.Path, l.Pipe, l.PipeNoShell = logPath(c.ServerRoot, args[0])
	if len(args) > 1 {
		l.FormatArg = args[1]
	}
	if len(args) > 2 {
		clause := args[2]
		switch {
		case len(clause) >= 4 && strings.EqualFold(clause[:4], "env="):
			v := clause[4:]
			if v == "" || v == "!" {
				c.errorf(n, "", "missing environment variable name")
				return
			}
			if v[0] == '!' {
				l.EnvNegate, v = true, v[1:]
			}
			l.EnvVar = v
		case len(clause) >= 5 && strings.EqualFold(clause[:5], "expr="):
			if clause[5:] == "" {
				c.errorf(n, "", "missing condition")
				return
			}
			l.Expr = clause[5:]
		default:
			c.errorf(n, "write the condition as env=VAR, env=!VAR or expr=EXPRESSION", "error in condition clause")
			return
		}
	}
	if l.FormatArg != "" {
		f, msg := parseLogFormat(l.FormatArg, c.Modules)
		if msg != "" {
			c.errorf(n, "", "%s", msg)
			return
		}
		f.Pos = n.Pos
		l.Inline = f
	}
	ls := logServer(c)
	ls.Logs = append(ls.Logs, l)
}

// logPath splits a log target into a file (made absolute against the
// server root) or a piped command ("|cmd", "||cmd" without a shell, "|$cmd"
// with one).
func logPath(root, arg string) (path, pipe string, noShell bool) {
	if strings.HasPrefix(arg, "|") {
		cmd := arg[1:]
		switch {
		case strings.HasPrefix(cmd, "|"):
			return "", strings.TrimLeft(cmd[1:], " \t"), true
		case strings.HasPrefix(cmd, "$"):
			cmd = cmd[1:]
		}
		return "", strings.TrimLeft(cmd, " \t"), false
	}
	if filepath.IsAbs(arg) || root == "" {
		return arg, "", false
	}
	return filepath.Join(root, arg), "", false
}

func compileBufferedLogs(c *walkCtx, n *Node) {
	v := flag(n)
	logServer(c).BufferedLogs = &v
}

func compileErrorLog(c *walkCtx, n *Node) {
	arg := n.Args[0].Text
	t := &ErrorLogTarget{Pos: n.Pos, Raw: arg}
	if arg == "syslog" || strings.HasPrefix(arg, "syslog:") {
		t.Syslog = true
		t.SyslogFacility = strings.TrimPrefix(strings.TrimPrefix(arg, "syslog"), ":")
	} else {
		t.Path, t.Pipe, t.PipeNoShell = logPath(c.ServerRoot, arg)
	}
	logServer(c).ErrorLog = t
}

func compileErrorLogFormat(c *walkCtx, n *Node) {
	ls := logServer(c)
	args := optArgs(n)
	if len(args) == 1 {
		if msg := checkErrorLogFormat(n.Args[0].Text, true); msg != "" {
			c.errorf(n, "", "%s", msg)
			return
		}
		ls.ErrorLogFormat = n.Args[0].Text
		return
	}
	kind, f := args[0], args[1]
	var list *[]string
	switch {
	case strings.EqualFold(kind, "connection"):
		list = &ls.ErrorLogConnection
	case strings.EqualFold(kind, "request"):
		list = &ls.ErrorLogRequest
	default:
		c.errorf(n, "", "ErrorLogFormat type must be one of request, connection")
		return
	}
	if msg := checkErrorLogFormat(f, false); msg != "" {
		c.errorf(n, "", "%s", msg)
		return
	}
	*list = append(*list, f)
}

// errorLogTags are the error log format directives core registers.
const errorLogTags = "aAeEFiklLmnPtTvV"

// checkErrorLogFormat validates an ErrorLogFormat string with core's rules
// (parse_errorlog_string); main is true for the main format.
func checkErrorLogFormat(s string, main bool) string {
	seenMsg := false
	for len(s) > 0 {
		if s[0] == '\\' {
			// a backslash takes the next byte literally, even a '%'
			s = s[min(2, len(s)):]
			continue
		}
		if s[0] != '%' {
			s = s[1:]
			continue
		}
		s = s[1:]
		if len(s) > 0 && (s[0] == ' ' || s[0] == '%') {
			s = s[1:]
			continue
		}
		required, level, done := false, 0, false
		for len(s) > 0 && !done {
			switch c := s[0]; {
			case c == '{':
				if end := strings.IndexByte(s, '}'); end >= 0 {
					s = s[end+1:]
				} else {
					s = ""
				}
			case c == '+':
				required, s = true, s[1:]
			case c == '-':
				s = s[1:]
			case c >= '0' && c <= '9':
				level = 0
				for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
					if level < 1000 {
						level = level*10 + int(s[0]-'0')
					}
					s = s[1:]
				}
			case c == 'M':
				seenMsg, done, s = true, true, s[1:]
				if !main {
					return "%M cannot be used in once-per-request or once-per-connection formats"
				}
			default:
				if c == ' ' || strings.IndexByte(errorLogTags, c) < 0 {
					return "Unrecognized error log format directive %" + s[:1]
				}
				done, s = true, s[1:]
			}
		}
		if !done {
			return "Ran off end of error log format parsing args to some directive"
		}
		if main && required {
			return "The '+' flag cannot be used in the main error log format"
		}
		if !main && level != 0 {
			return "The loglevel cannot be used as a condition in once-per-request or once-per-connection formats"
		}
		if level > 15 {
			return "The specified loglevel modifier is out of range"
		}
	}
	if main && !seenMsg {
		return "main ErrorLogFormat must contain message format string '%M'"
	}
	return ""
}

// compileLogLevel handles LogLevel level [module:level ...]. In a section
// Apache keeps a per-directory level; oidcgate validates it but logs with
// the server's levels (the per-directory slot is core's).
func compileLogLevel(c *walkCtx, n *Node) {
	var ls *LogServer
	if c.atServer() {
		ls = logServer(c)
	}
	for _, w := range n.Args {
		arg := w.Text
		i := strings.LastIndexByte(arg, ':')
		if i < 0 {
			lv, ok := parseLogLevelName(arg)
			if !ok {
				c.errorf(n, "", "%s", logLevelErr)
				return
			}
			if ls != nil {
				ls.Level, ls.ModuleLevels = &lv, nil
			}
			continue
		}
		mod, lvs := arg[:i], arg[i+1:]
		if lvs == "" {
			c.errorf(n, "", "Module specifier '%s' must be followed by a log level keyword", mod)
			return
		}
		lv, ok := parseLogLevelName(lvs)
		if !ok {
			c.errorf(n, "", "%s:%s: %s", mod, lvs, logLevelErr)
			return
		}
		id := logModuleID(c.Modules, mod)
		if id == "" {
			c.errorf(n, "the module must be loaded; write its name as in LoadModule (ssl or ssl_module)", "Cannot find module %s", mod)
			return
		}
		if ls != nil {
			ls.ModuleLevels = setModuleLevel(ls.ModuleLevels, ModuleLogLevel{Module: id, Level: lv})
		}
	}
}

func setModuleLevel(list []ModuleLogLevel, ml ModuleLogLevel) []ModuleLogLevel {
	for i := range list {
		if list[i].Module == ml.Module {
			list[i] = ml
			return list
		}
	}
	return append(list, ml)
}

// logModuleID finds a loaded module as core's find_module does: by source
// file name (mod_ssl.c), by identifier (ssl_module), or by the identifier
// without "_module" (ssl). It returns "" when none is loaded.
func logModuleID(mods *ModuleSet, name string) string {
	if mods == nil {
		return ""
	}
	if strings.HasSuffix(name, ".c") {
		if id, ok := mods.byFile[name]; ok {
			return id
		}
		if id := strings.TrimSuffix(strings.TrimPrefix(name, "mod_"), ".c") + "_module"; mods.All && knownModuleID(id) {
			return id
		}
		return ""
	}
	for _, id := range []string{name, name + "_module"} {
		if !strings.HasSuffix(id, "_module") || !mods.Has(id) {
			continue
		}
		if _, real := mods.loaded[id]; real || knownModuleID(id) {
			return id
		}
	}
	return ""
}

// knownModuleID reports whether some directive oidcgate knows comes from
// the module: in fragment mode every module counts as loaded, but only
// modules that exist can be named in LogLevel.
func knownModuleID(id string) bool {
	for i := range apacheSpecs {
		if ModuleID(apacheSpecs[i].Module) == id {
			return true
		}
	}
	return false
}
