package apacheconf

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	return out
}

func (c *walkCtx) logServer() *LogServer {
	if c.Srv.Log == nil {
		c.Srv.Log = &LogServer{Formats: map[string]*LogFormat{}}
	}
	return c.Srv.Log
}

// validLogDirectives are mod_log_config's (and mod_logio's) letters.
const validLogDirectives = "aAbBCDefhHiklLmnopPqrRsStTuUvVXIO"

// parseLogFormat compiles a LogFormat string as mod_log_config does.
func parseLogFormat(s string) ([]LogItem, string) {
	var items []LogItem
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			items = append(items, LogItem{Literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n':
				lit.WriteByte('\n')
			case 't':
				lit.WriteByte('\t')
			default:
				lit.WriteByte(s[i])
			}
			continue
		}
		if ch != '%' {
			lit.WriteByte(ch)
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		flush()
		it := LogItem{}
		i++
		for ; i < len(s); i++ {
			switch c := s[i]; {
			case c == '!':
				it.Negate = true
				continue
			case c == '<':
				it.Original = true
				continue
			case c == '>':
				it.Final = true
				continue
			case c == ',':
				continue
			case c >= '0' && c <= '9':
				j := i
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				v, _ := strconv.Atoi(s[i:j])
				it.Statuses = append(it.Statuses, v)
				i = j - 1
				continue
			case c == '{':
				end := strings.IndexByte(s[i:], '}')
				if end < 0 {
					return nil, "Ran off end of LogFormat parsing args to some directive"
				}
				it.Arg = s[i+1 : i+end]
				i += end
				continue
			case c == '^':
				if i+2 >= len(s) {
					return nil, "Unrecognized LogFormat directive %" + s[i:]
				}
				code := s[i : i+3]
				switch code {
				case "^ti", "^to", "^FB":
				default:
					return nil, "Unrecognized LogFormat directive %" + code
				}
				it.Directive = code
				i += 2
			case strings.IndexByte(validLogDirectives, c) >= 0:
				it.Directive = string(c)
			default:
				return nil, "Unrecognized LogFormat directive %" + string(c)
			}
			break
		}
		if it.Directive == "" {
			return nil, "Ran off end of LogFormat parsing args to some directive"
		}
		items = append(items, it)
	}
	flush()
	return items, ""
}

func compileLogFormat(c *walkCtx, n *Node) {
	f := &LogFormat{Pos: n.Pos, Raw: n.Args[0].Text}
	items, msg := parseLogFormat(f.Raw)
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
		l.Pipe, l.Target = true, strings.TrimLeft(strings.TrimPrefix(target, "|"), "|$")
	} else {
		l.Target = resolveRelative(c.ServerRoot, target)
	}
	if len(words) >= 2 {
		l.FormatName = words[1]
	}
	if len(words) == 3 {
		cond := words[2]
		switch {
		case strings.HasPrefix(cond, "env="):
			name := cond[4:]
			if strings.HasPrefix(name, "!") {
				l.EnvNegate, name = true, name[1:]
			}
			l.EnvVar = name
		case strings.HasPrefix(cond, "expr="):
			l.Expr = cond[5:]
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
			id := strings.TrimSuffix(strings.TrimPrefix(mod, "mod_"), ".c")
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
		items, msg := parseLogFormat(l.FormatName)
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
	items, _ := parseLogFormat(raw)
	return &LogFormat{Nickname: "", Raw: raw, Items: items}
}
