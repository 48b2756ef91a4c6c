package apacheconf

import (
	"reflect"
	"strings"
	"testing"
)

func TestLogErrors(t *testing.T) {
	// Messages checked against Debian's apache2 -t (mod_ssl not loaded
	// there; here every module is, so %c/%x are covered by TestLogFormatTags).
	tests := []struct{ conf, want string }{
		{`LogFormat "%Z" x`, "Unrecognized LogFormat directive %Z"},
		{`LogFormat "%{foo}" x`, "Ran off end of LogFormat parsing args to some directive"},
		{`LogFormat "abc %" x`, "Ran off end of LogFormat parsing args to some directive"},
		{`LogFormat "%^F" x`, "Unrecognized LogFormat directive %^"},
		{`LogFormat "%h \%" x`, "Ran off end of LogFormat parsing args to some directive"},
		{`CustomLog /dev/null "%Q"`, "Unrecognized LogFormat directive %Q"},
		{`CustomLog /dev/null common env=`, "missing environment variable name"},
		{`CustomLog /dev/null common env=!`, "missing environment variable name"},
		{`CustomLog /dev/null common foo=1`, "error in condition clause"},
		{`CustomLog /dev/null common expr=`, "missing condition"},
		{`CustomLog /dev/null`, "CustomLog takes two or three arguments, a file name, a custom log format string or format name, and an optional \"env=\" or \"expr=\" clause (see docs)"},
		{`LogLevel bogus`, "Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8"},
		{`LogLevel nosuch:warn`, "Cannot find module nosuch"},
		{`LogLevel ssl:`, "Module specifier 'ssl' must be followed by a log level keyword"},
		{`LogLevel ssl:xx`, "ssl:xx: Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8"},
		{`ErrorLogFormat "%x %M"`, "Unrecognized error log format directive %x"},
		{`ErrorLogFormat "%t"`, "main ErrorLogFormat must contain message format string '%M'"},
		{`ErrorLogFormat foo "%t"`, "ErrorLogFormat type must be one of request, connection"},
		{`ErrorLogFormat request "%M"`, "%M cannot be used in once-per-request or once-per-connection formats"},
		{`ErrorLogFormat "%{x %M"`, "Ran off end of error log format parsing args to some directive"},
		{`ErrorLogFormat "%16M"`, "The specified loglevel modifier is out of range"},
		{`ErrorLogFormat "%+M"`, "The '+' flag cannot be used in the main error log format"},
		{`ErrorLogFormat connection "%3a"`, "The loglevel cannot be used as a condition in once-per-request or once-per-connection formats"},
		{`ErrorLogFormat connection ""`, "main ErrorLogFormat must contain message format string '%M'"},
		{"<Location />\nCustomLog /dev/null common\n</Location>", "CustomLog not allowed in <Location> context"},
	}
	for _, tt := range tests {
		t.Run(tt.conf, func(t *testing.T) {
			_, diags := compileForTest(t, "ServerName x\n"+tt.conf+"\n")
			d, ok := diags.First()
			if !ok || d.Msg != tt.want {
				t.Fatalf("got %v, want %q", diags, tt.want)
			}
		})
	}
}

func TestLogValid(t *testing.T) {
	for _, conf := range []string{
		`ErrorLogFormat "\%x %M"`,
		`LogFormat "%{x}^to %400,501{User-agent}i %<s %!200b %{c}a %{%s}t %I %O %S %^FB %{SSL_PROTOCOL}x" x`,
		`TransferLog "||/bin/cat"`,
		`BufferedLogs on`,
		`LogLevel info proxy:trace2 mod_headers.c:debug core:info http:info`,
		`ErrorLog syslog:local7`,
		`LogFormat "%h" ""`,
	} {
		if _, diags := compileForTest(t, "ServerName x\n"+conf+"\n"); diags.HasErrors() {
			t.Errorf("%s: %v", conf, diags.Errors())
		}
	}
}

func TestLogFormatItems(t *testing.T) {
	f, msg := parseLogFormat(`%h "%r" %>s %400,501!{User-Agent}i %% a\tb\q %{sec}t %^ti`, nil)
	if msg != "" {
		t.Fatal(msg)
	}
	want := []LogItem{
		{Tag: "h"}, {Literal: ` "`}, {Tag: "r", Original: true}, {Literal: `" `},
		{Tag: "s"}, {Literal: " "},
		{Tag: "i", Arg: "User-Agent", Statuses: []int{400, 501}, NotStatuses: true}, {Literal: " "},
		{Literal: "%"}, {Literal: " a\tb\\q "}, {Tag: "t", Arg: "sec"}, {Literal: " "}, {Tag: "^ti"},
	}
	if !reflect.DeepEqual(f.Items, want) {
		t.Errorf("items\n got %+v\nwant %+v", f.Items, want)
	}
}

func TestLogFormatTags(t *testing.T) {
	mods := NewModuleSet() // Debian's static modules: logio yes, ssl no
	if _, msg := parseLogFormat("%O %I", mods); msg != "" {
		t.Error(msg)
	}
	if _, msg := parseLogFormat("%{SSL_CIPHER}x", mods); msg != "Unrecognized LogFormat directive %x" {
		t.Errorf("%%x without mod_ssl: %q", msg)
	}
}

func TestLogServerModel(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName main
ServerRoot /srv
LogFormat "%h %u" short
LogFormat short
ErrorLog logs/main_error
LogLevel info ssl:debug
CustomLog logs/access short
GlobalLog "|/usr/bin/logger -t x" "%h %>s" env=!dontlog
<VirtualHost *:80>
  ServerName own
  LogFormat "%v %h" short
  CustomLog /var/log/own combinedtypo expr=%{REQUEST_URI}=~/x/
  TransferLog "||/bin/cat"
  LogLevel proxy:trace1
</VirtualHost>
<VirtualHost *:80>
  ServerName inherits
  LogLevel warn
</VirtualHost>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	m := cfg.Main.Log
	if m.ErrorLog.Path != "/srv/logs/main_error" || m.Logs[0].Path != "/srv/logs/access" {
		t.Errorf("paths not ServerRoot-relative: %+v %+v", m.ErrorLog, m.Logs[0])
	}
	if g := m.Logs[1]; !g.Global || g.Pipe != "/usr/bin/logger -t x" || g.PipeNoShell || g.EnvVar != "dontlog" || !g.EnvNegate {
		t.Errorf("GlobalLog %+v", g)
	}
	if *m.Level != 6 || len(m.ModuleLevels) != 1 || m.ModuleLevels[0] != (ModuleLogLevel{"ssl_module", 7}) {
		t.Errorf("levels %v %+v", m.Level, m.ModuleLevels)
	}
	targets := func(s *Server) []string {
		var out []string
		for _, tg := range s.Log.Targets() {
			out = append(out, tg.Log.Directive+":"+tg.Format.Raw)
		}
		return out
	}
	if got := strings.Join(targets(cfg.Main), "|"); got != "CustomLog:%h %u|GlobalLog:%h %>s" {
		t.Errorf("main targets %q", got)
	}
	// Own logs + the main GlobalLog; the vhost's "short" shadows main's;
	// an unknown nickname is a literal format; TransferLog uses the
	// inherited default, which names a nickname.
	own := cfg.VHosts[0]
	if got := strings.Join(targets(own), "|"); got != "CustomLog:combinedtypo|TransferLog:%v %h|GlobalLog:%h %>s" {
		t.Errorf("vhost targets %q", got)
	}
	if own.Log.Logs[1].Pipe != "/bin/cat" || !own.Log.Logs[1].PipeNoShell || own.Log.Logs[0].Expr != "%{REQUEST_URI}=~/x/" {
		t.Errorf("vhost logs %+v %+v", own.Log.Logs[0], own.Log.Logs[1])
	}
	if *own.Log.Level != 6 || len(own.Log.ModuleLevels) != 2 || own.Log.ErrorLog != m.ErrorLog {
		t.Errorf("vhost without level inherits level and module levels: %v %+v", own.Log.Level, own.Log.ModuleLevels)
	}
	inh := cfg.VHosts[1]
	if got := strings.Join(targets(inh), "|"); got != "CustomLog:%h %u|GlobalLog:%h %>s" {
		t.Errorf("inheriting vhost targets %q", got)
	}
	if *inh.Log.Level != LogLevelWarn || len(inh.Log.ModuleLevels) != 0 {
		t.Errorf("a vhost LogLevel drops the main module levels: %+v", inh.Log.ModuleLevels)
	}
	if len(m.ModuleLevels) != 1 || m.Formats["short"].Raw != "%h %u" {
		t.Error("MergeVHost modified the main server")
	}
}

func TestLogLevelResets(t *testing.T) {
	cfg, diags := compileForTest(t, "ServerName x\nLogLevel ssl:debug\nLogLevel error proxy:info\n")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	l := cfg.Main.Log
	if *l.Level != 3 || len(l.ModuleLevels) != 1 || l.ModuleLevels[0].Module != "proxy_module" {
		t.Errorf("a level keyword resets earlier module levels: %+v", l.ModuleLevels)
	}
}

func TestLogServerMergeNil(t *testing.T) {
	var main *LogServer
	if got := main.MergeVHost(nil); got == nil || got.Targets() != nil {
		t.Errorf("nil merge %+v", got)
	}
	if (*LogServer)(nil).Targets() != nil {
		t.Error("no log lines: no access log")
	}
}

func FuzzLogFormat(f *testing.F) {
	for _, s := range []string{clfFormat, `%{Referer}i %400,501{User-agent}i %!200b`, `%{%d/%b/%Y}t`, `\%`, `%^ti %^FB %^`, `%{`, `%<>s`, "\\t\\n\\q%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lf, msg := parseLogFormat(s, nil)
		if (lf == nil) == (msg == "") {
			t.Fatalf("format and error disagree for %q", s)
		}
		if lf == nil {
			return
		}
		for _, it := range lf.Items {
			if it.Tag != "" && !hasLogTag(it.Tag, nil) {
				t.Fatalf("unknown tag %q from %q", it.Tag, s)
			}
		}
	})
}

func FuzzErrorLogFormat(f *testing.F) {
	for _, s := range []string{`[%t] [%l] [pid %P] %F: %E: [client %a] %M`, `%{x %M`, `\%x %M`, `%-{Referer}i`, `%+{x}i`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = checkErrorLogFormat(s, true)
		_ = checkErrorLogFormat(s, false)
	})
}
