package apacheconf

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// mod_log_config and core logging: LogFormat, CustomLog, TransferLog,
// GlobalLog, ErrorLog, ErrorLogFormat, LogLevel.

var logHandlers = map[string]handler{
	"logformat":   compileLogFormat,
	"customlog":   compileCustomLog,
	"transferlog": compileCustomLog,
	"globallog":   compileCustomLog,
	"errorlog":    compileErrorLog,
	"loglevel":    compileLogLevel,

	"errorlogformat": compileErrorLogFormat,
	"bufferedlogs":   compileBufferedLogs,
}

// LogItem is one piece of a log format: literal text or a %-directive.
type LogItem struct {
	Literal string
	// Directive is the format letter ('h', 's', 'i', ...) or a ^-code
	// ("^ti", "^to", "^FB"); "" for a literal.
	Directive string
	Arg       string
	// Statuses restricts the item to these statuses (Negate: all others).
	Statuses []int
	Negate   bool
	// Final is the '>' modifier (final request after internal redirects),
	// Original the '<' modifier.
	Final, Original bool
}

// LogFormat is a compiled log format.
type LogFormat struct {
	Pos      Pos
	Nickname string
	Raw      string
	Items    []LogItem
}

// AccessLog is a CustomLog, TransferLog or GlobalLog.
type AccessLog struct {
	Pos Pos
	// Target is the file (absolute), or the command of a piped logger.
	Target string
	Pipe   bool
	// Shell: the piped logger runs through /bin/sh -c ("|$cmd"); "|cmd"
	// and "||cmd" run the program directly.
	Shell bool
	// Format is the compiled format; FormatName the nickname used, if any.
	Format     *LogFormat
	FormatName string
	// EnvVar/EnvNegate and Expr are the env=[!]VAR and expr= conditions.
	EnvVar    string
	EnvNegate bool
	Expr      string
	Global    bool
}

// LogLevel is the error log's level, with per-module levels.
type LogLevel struct {
	Level   string
	Modules map[string]string
	Pos     Pos
}

// LogServer holds the logging settings of a server.
type LogServer struct {
	// Formats by nickname; a vhost sees the main server's too.
	Formats map[string]*LogFormat
	// Default is the format of a one-argument LogFormat (TransferLog's).
	Default *LogFormat
	Access  []*AccessLog
	// ErrorLog is the error log target as written ("" when unset: Apache
	// uses logs/error.log, oidcgate standard error); ErrorLogPos where.
	ErrorLog    string
	ErrorLogPos Pos
	Level       *LogLevel
	// ErrorLogFormat is the main error log format as written ("" for
	// Apache's default), validated as core does; ErrorLogRequest and
	// ErrorLogConnection are the once-per-request/-connection formats.
	// A virtual host inherits each when it sets none.
	ErrorLogFormat     string
	ErrorLogRequest    []string
	ErrorLogConnection []string
	// BufferedLogs; default Off. One process-wide switch in Apache (the
	// last line read wins); a virtual host inherits the main server's.
	BufferedLogs *bool
}

// MergeVHost: nicknames merge (the vhost's win); a vhost with access logs
// of its own does not log to the main server's (global logs excepted);
// ErrorLog and LogLevel are the vhost's when set.
func (main *LogServer) MergeVHost(vh *LogServer) *LogServer {
	if vh == nil {
		return main
	}
	if main == nil {
		return vh
	}
	out := &LogServer{Formats: map[string]*LogFormat{}, Default: main.Default, ErrorLog: main.ErrorLog, ErrorLogPos: main.ErrorLogPos, Level: main.Level}
	for k, v := range main.Formats {
		out.Formats[k] = v
	}
	for k, v := range vh.Formats {
		out.Formats[k] = v
	}
	if vh.Default != nil {
		out.Default = vh.Default
	}
	hasOwn := false
	for _, l := range vh.Access {
		if !l.Global {
			hasOwn = true
		}
	}
	for _, l := range main.Access {
		if l.Global || !hasOwn {
			out.Access = append(out.Access, l)
		}
	}
	out.Access = append(out.Access, vh.Access...)
	if vh.ErrorLog != "" {
		out.ErrorLog, out.ErrorLogPos = vh.ErrorLog, vh.ErrorLogPos
	}
	if vh.Level != nil {
		out.Level = vh.Level
	}
	out.ErrorLogFormat, out.BufferedLogs = main.ErrorLogFormat, main.BufferedLogs
	out.ErrorLogRequest, out.ErrorLogConnection = main.ErrorLogRequest, main.ErrorLogConnection
	if vh.ErrorLogFormat != "" {
		out.ErrorLogFormat = vh.ErrorLogFormat
	}
	if vh.ErrorLogRequest != nil {
		out.ErrorLogRequest = vh.ErrorLogRequest
	}
	if vh.ErrorLogConnection != nil {
		out.ErrorLogConnection = vh.ErrorLogConnection
	}
	if vh.BufferedLogs != nil {
		out.BufferedLogs = vh.BufferedLogs
	}
	out.ErrorLogRequest = append([]string(nil), out.ErrorLogRequest...)
	out.ErrorLogConnection = append([]string(nil), out.ErrorLogConnection...)
	return out
}

func (c *walkCtx) logServer() *LogServer {
	if c.Srv.Log == nil {
		c.Srv.Log = &LogServer{Formats: map[string]*LogFormat{}}
	}
	return c.Srv.Log
}

// logTags are the %-directives mod_log_config registers.
const logTags = "aAbBCDefhHiklLmnopPqrRstTuUvVX"

// moduleLogTags are registered by other modules, when those are loaded
// (mod_logio is compiled into Debian's apache2).
var moduleLogTags = map[string]string{
	"I": "logio_module", "O": "logio_module", "S": "logio_module", "^FB": "logio_module",
	"c": "ssl_module", "x": "ssl_module",
}

// hasLogTag reports whether tag is registered with the given modules
// loaded (mods nil: every module).
func hasLogTag(tag string, mods *ModuleSet) bool {
	if len(tag) == 1 && strings.Contains(logTags, tag) || tag == "^ti" || tag == "^to" {
		return true
	}
	m, ok := moduleLogTags[tag]
	return ok && (mods == nil || mods.Has(m))
}

// parseLogFormat compiles a LogFormat string as mod_log_config's
// parse_log_string does, with its error texts. Literal text takes the
// escapes \\ \r \n \t; any other backslash is kept as written.
func parseLogFormat(s string, mods *ModuleSet) ([]LogItem, string) {
	var items []LogItem
	for len(s) > 0 {
		if s[0] != '%' {
			lit, rest := logLiteral(s)
			items = append(items, LogItem{Literal: lit})
			s = rest
			continue
		}
		if len(s) > 1 && s[1] == '%' {
			items = append(items, LogItem{Literal: "%"})
			s = s[2:]
			continue
		}
		it, rest, msg := parseLogItem(s[1:], mods)
		if msg != "" {
			return nil, msg
		}
		items = append(items, it)
		s = rest
	}
	return items, ""
}

// logLiteral reads literal text up to the next '%'.
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
	for len(s) > 0 {
		switch c := s[0]; {
		case c == '!':
			it.Negate = !it.Negate
			s = s[1:]
		case c == '<':
			it.Original, it.Final = true, false
			s = s[1:]
		case c == '>':
			it.Original, it.Final = false, true
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
			switch {
			case c == '^' && len(s) >= 3 && hasLogTag(s[:3], mods):
				it.Directive = s[:3]
			case hasLogTag(s[:1], mods):
				it.Directive = s[:1]
			default:
				return it, "", "Unrecognized LogFormat directive %" + s[:1]
			}
			return it, s[len(it.Directive):], ""
		}
	}
	return it, "", "Ran off end of LogFormat parsing args to some directive"
}

func compileLogFormat(c *walkCtx, n *Node) {
	f := &LogFormat{Pos: n.Pos, Raw: n.Args[0].Text}
	items, msg := parseLogFormat(f.Raw, c.Modules)
	if msg != "" {
		c.errorf(n, "", "%s", msg)
		return
	}
	f.Items = items
	ls := c.logServer()
	if len(n.Args) == 2 {
		f.Nickname = n.Args[1].Text
		ls.Formats[f.Nickname] = f
		return
	}
	ls.Default = f
}

func compileCustomLog(c *walkCtx, n *Node) {
	words := n.Strings()
	l := &AccessLog{Pos: n.Pos, Global: n.Key() == "globallog"}
	target := words[0]
	if strings.HasPrefix(target, "|") {
		cmd := strings.TrimPrefix(target, "|")
		l.Pipe, l.Shell = true, strings.HasPrefix(cmd, "$")
		l.Target = strings.TrimPrefix(strings.TrimPrefix(cmd, "|"), "$")
	} else {
		l.Target = resolveRelative(c.ServerRoot, target)
	}
	if len(words) >= 2 {
		l.FormatName = words[1]
		// Apache compiles the argument as a format when it reads the line,
		// before knowing whether it names a LogFormat.
		if _, msg := parseLogFormat(l.FormatName, c.Modules); msg != "" {
			c.errorf(n, "", "%s", msg)
			return
		}
	}
	if len(words) == 3 {
		cond := words[2]
		switch {
		case len(cond) >= 4 && strings.EqualFold(cond[:4], "env="):
			name := cond[4:]
			if name == "" || name == "!" {
				c.errorf(n, "", "missing environment variable name")
				return
			}
			if strings.HasPrefix(name, "!") {
				l.EnvNegate, name = true, name[1:]
			}
			l.EnvVar = name
		case len(cond) >= 5 && strings.EqualFold(cond[:5], "expr="):
			if cond[5:] == "" {
				c.errorf(n, "", "missing condition")
				return
			}
			l.Expr = cond[5:]
			// parsed when read, the parser's message as Apache's [obs:
			// "expr=%{REQUEST_STATUS} -ge" gives "syntax error, unexpected $end"]
			if _, err := expr.Parse(l.Expr, expr.Boolean); err != nil {
				c.errorf(n, "", "%s", err.Error())
				return
			}
		default:
			c.errorf(n, "", "error in condition clause")
			return
		}
	}
	if !l.Pipe && !strings.HasPrefix(l.Target, "/dev/") && !strings.HasPrefix(l.Target, "syslog") {
		dir := filepath.Dir(l.Target)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			c.diags.diags = append(c.diags.diags, Diagnostic{Severity: SevError, Stage: StageCheck, Pos: n.Pos, Directive: n.Name,
				Msg:  "(2)No such file or directory: AH02297: Cannot access directory '" + dir + "/' for log file '" + l.Target + "' defined at " + n.Pos.File + ":" + strconv.Itoa(n.Pos.ApacheLine()),
				Hint: "create the directory, or log to /dev/stdout in a container"})
		}
	}
	ls := c.logServer()
	ls.Access = append(ls.Access, l)
}

// resolveRelative makes a path absolute against the server root, as
// Apache's ap_server_root_relative.
func resolveRelative(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}

func compileErrorLog(c *walkCtx, n *Node) {
	ls := c.logServer()
	ls.ErrorLog, ls.ErrorLogPos = n.Args[0].Text, n.Pos
}

var logLevels = map[string]bool{
	"emerg": true, "alert": true, "crit": true, "error": true, "warn": true, "notice": true, "info": true, "debug": true,
	"trace1": true, "trace2": true, "trace3": true, "trace4": true, "trace5": true, "trace6": true, "trace7": true, "trace8": true,
}

func compileLogLevel(c *walkCtx, n *Node) {
	const badLevel = "Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8"
	lv := &LogLevel{Pos: n.Pos, Modules: map[string]string{}}
	for _, w := range n.Strings() {
		mod, level, perModule := strings.Cut(w, ":")
		if !perModule {
			level = w
		}
		if !logLevels[strings.ToLower(level)] {
			c.errorf(n, "", "%s", badLevel)
			return
		}
		if perModule {
			// mod_proxy.c, proxy_module and proxy all name mod_proxy
			// [obs: Apache 2.4.71 takes LogLevel crit proxy_module:error].
			id := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(mod, "mod_"), ".c"), "_module")
			if !c.Modules.Has(id+"_module") && id != "core" {
				c.errorf(n, "", "Cannot find module %s", mod)
				return
			}
			lv.Modules[id] = strings.ToLower(level)
			continue
		}
		lv.Level = strings.ToLower(level)
	}
	if c.Sec != nil {
		return // per-directory LogLevel: kept for the walk, not the server
	}
	c.logServer().Level = lv
}

// logArgPolicy is the status of a logging directive whose support depends
// on its arguments or its place (lint reports it instead of the
// directive's registry status); ok is false when the registry's applies.
// inDir says whether n sits inside a per-directory section.
func logArgPolicy(n *Node, inDir bool) (p policy, ok bool) {
	if p, ok := servingArgPolicy(n); ok {
		return p, true
	}
	switch n.Key() {
	case "errorlog":
		if len(n.Args) > 0 && strings.HasPrefix(n.Args[0].Text, "syslog") {
			return policy{Status: Unsupported, Reason: "ErrorLog syslog is not supported: this server's error log goes to standard error instead; log to a file or pipe it to logger (ErrorLog \"|/usr/bin/logger -t apache2 -p local1.info\")"}, true
		}
	case "oidccachetype":
		if len(n.Args) > 0 && strings.EqualFold(n.Args[0].Text, "file") {
			return policy{Status: Unsupported, Reason: "OIDCCacheType file is not implemented: sessions are kept in memory (not shared between instances, lost on restart); use redis or memcache to share them"}, true
		}
	case "oidcresponsetype":
		if len(n.Args) > 0 && n.Args[0].Text != "code" {
			return policy{Status: Unsupported, Critical: true, Reason: "OIDCResponseType " + n.Args[0].Text + ": the implicit and hybrid flows are not implemented, oidcgate logs users in with the code flow; set OIDCResponseType code (and allow the code flow for the client at the provider)"}, true
		}
	case "oidcoauthaccesstokenbindingpolicy":
		if len(n.Args) > 0 && strings.EqualFold(n.Args[0].Text, "disabled") {
			return policy{Status: Ignored, Reason: "token binding disabled: nothing to do"}, true
		}
	case "loglevel":
		if inDir {
			return policy{Status: Unsupported, Reason: "a LogLevel inside a section (per directory or location) is not applied: the server's LogLevel is used for every request"}, true
		}
	}
	return policy{}, false
}

// perDirNodes returns the nodes inside per-directory sections (any section
// but <VirtualHost>).
func perDirNodes(nodes []*Node) map[*Node]bool {
	out := map[*Node]bool{}
	var walk func([]*Node, bool)
	walk = func(ns []*Node, in bool) {
		for _, n := range ns {
			if in {
				out[n] = true
			}
			if n.IsSection() {
				walk(n.Children, in || n.Key() != "<virtualhost")
			}
		}
	}
	walk(nodes, false)
	return out
}

// resolveLogFormats binds each access log to its format once all
// LogFormat lines are known: a nickname of the server (or the main
// server), else the argument is a format string of its own; TransferLog
// uses the default format.
func resolveLogFormats(s *Server, diags *diagSink) {
	if s.Log == nil {
		return
	}
	for _, l := range s.Log.Access {
		if l.Format != nil {
			continue
		}
		if l.FormatName == "" {
			l.Format = s.Log.Default
			if l.Format == nil {
				l.Format = commonLogFormat()
			}
			continue
		}
		if f, ok := s.Log.Formats[l.FormatName]; ok {
			l.Format = f
			continue
		}
		items, msg := parseLogFormat(l.FormatName, nil)
		if msg != "" {
			diags.add(SevError, StageWalk, l.Pos, "CustomLog", "", "%s", msg)
			continue
		}
		l.Format = &LogFormat{Pos: l.Pos, Raw: l.FormatName, Items: items}
	}
}

// commonLogFormat is Apache's default format: "%h %l %u %t \"%r\" %>s %b".
func commonLogFormat() *LogFormat {
	raw := `%h %l %u %t "%r" %>s %b`
	items, _ := parseLogFormat(raw, nil)
	return &LogFormat{Nickname: "", Raw: raw, Items: items}
}

func compileBufferedLogs(c *walkCtx, n *Node) {
	v := flag(n)
	c.logServer().BufferedLogs = &v
}

// optArgs returns n's arguments with the trailing empty ones dropped:
// Apache's TAKE12 passes an empty optional word as missing.
func optArgs(n *Node) []string {
	args := n.Strings()
	for len(args) > 1 && args[len(args)-1] == "" {
		args = args[:len(args)-1]
	}
	return args
}

func compileErrorLogFormat(c *walkCtx, n *Node) {
	ls := c.logServer()
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
