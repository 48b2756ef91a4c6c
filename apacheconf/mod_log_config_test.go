package apacheconf

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestLogModel(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
ErrorLog /dev/stderr
LogFormat "%h %l %u %t \"%r\" %>s %b" common
LogFormat "%v %h %{X-Forwarded-For}i %D" mine
CustomLog /dev/stdout common
LogLevel warn proxy:debug
<VirtualHost *:80>
  ServerName v
  LogFormat "%h vhost" common
  CustomLog /dev/stdout mine
</VirtualHost>
<VirtualHost *:80>
  ServerName w
</VirtualHost>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	main := cfg.Main.Log
	if len(main.Access) != 1 || main.Access[0].Format.Nickname != "common" || len(main.Access[0].Format.Items) != 13 {
		t.Fatalf("main access log %+v", main.Access[0].Format)
	}
	if main.Level.Level != "warn" || main.Level.Modules["proxy"] != "debug" {
		t.Errorf("LogLevel %+v", main.Level)
	}
	v, w := cfg.VHosts[0].Log, cfg.VHosts[1].Log
	if len(v.Access) != 1 || v.Access[0].Format.Nickname != "mine" {
		t.Errorf("a vhost with its own CustomLog must not also log to the main server's: %+v", v.Access)
	}
	if v.Formats["common"].Raw != "%h vhost" || w.Formats["common"].Raw != `%h %l %u %t "%r" %>s %b` {
		t.Error("nicknames: the vhost's override, others inherit")
	}
	if len(w.Access) != 1 || w.Access[0] != main.Access[0] {
		t.Error("a vhost without CustomLog logs to the main server's logs")
	}
	it := main.Access[0].Format.Items
	if it[10].Directive != "s" || !it[10].Final {
		t.Errorf("%%>s: %+v", it[10])
	}
}

func FuzzLogFormat(f *testing.F) {
	for _, s := range []string{`%h %l %u %t "%r" %>s %b`, "%{X}i", "%400,501{UA}i", "%!200h", "%^ti", "%{", "%", "\\n%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, msg := parseLogFormat(s, nil)
		if msg != "" {
			return
		}
		for _, it := range items {
			if it.Directive == "" && it.Literal == "" {
				t.Fatalf("%q: empty item", s)
			}
		}
	})
}

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
		`LogLevel info proxy:trace2 mod_headers.c:debug core:info`,
		`LogLevel crit proxy_module:error`,
		`ErrorLog syslog:local7`,
		`LogFormat "%h" ""`,
	} {
		if _, diags := compileForTest(t, "ServerName x\n"+conf+"\n"); diags.HasErrors() {
			t.Errorf("%s: %v", conf, diags.Errors())
		}
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

func FuzzErrorLogFormat(f *testing.F) {
	for _, s := range []string{`[%t] [%l] [pid %P] %F: %E: [client %a] %M`, `%{x %M`, `\%x %M`, `%-{Referer}i`, `%+{x}i`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = checkErrorLogFormat(s, true)
		_ = checkErrorLogFormat(s, false)
	})
}

func TestLogItemsEscapes(t *testing.T) {
	items, msg := parseLogFormat(`a\tb\q\\ %!!200{x}i %<s %^FB`, nil)
	if msg != "" {
		t.Fatal(msg)
	}
	want := []LogItem{{Literal: "a\tb\\q\\ "}, {Directive: "i", Arg: "x", Statuses: []int{200}}, {Literal: " "},
		{Directive: "s", Original: true}, {Literal: " "}, {Directive: "^FB"}}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("got %+v\nwant %+v", items, want)
	}
}

func TestErrorLogFormatInherit(t *testing.T) {
	cfg, diags := compileForTest(t, "ServerName x\nErrorLogFormat \"[%t] %M\"\nErrorLogFormat request \"%L\"\nBufferedLogs On\n<VirtualHost *:80>\nServerName v\nErrorLog /dev/null\n</VirtualHost>\n")
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	v := cfg.VHosts[0].Log
	if v.ErrorLogFormat != "[%t] %M" || len(v.ErrorLogRequest) != 1 || v.BufferedLogs == nil || !*v.BufferedLogs {
		t.Errorf("vhost log %+v", v)
	}
}

func TestLogLint(t *testing.T) {
	for _, tc := range []struct {
		conf, directive, status string
	}{
		{"ErrorLog syslog:local1", "ErrorLog", "unsupported"},
		{"ErrorLog /dev/stderr", "ErrorLog", "supported"},
		{"ErrorLog \"|/usr/bin/logger\"", "ErrorLog", "supported"},
		{"LogLevel info proxy:debug", "LogLevel", "supported"},
		{"<Location /x>\nLogLevel debug\n</Location>", "LogLevel", "unsupported"},
		{"<VirtualHost *:80>\nLogLevel debug\n</VirtualHost>", "LogLevel", "supported"},
		{"ErrorLogFormat \"%M\"", "ErrorLogFormat", "unsupported"},
	} {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{"main.conf": "ServerName x\n" + tc.conf + "\n"})
		tree, diags := Read(Options{File: filepath.Join(root, "main.conf"), ServerRoot: root, Envvars: EnvvarsOff})
		rep := Lint(tree, DefaultRegistry(), diags)
		found := false
		for _, e := range rep.Entries {
			if e.Directive == tc.directive {
				found = true
				if e.Status != tc.status || tc.status == "unsupported" && rep.Exit == 0 {
					t.Errorf("%s: %s (%s), exit %d", tc.conf, e.Status, e.Why, rep.Exit)
				}
			}
		}
		if !found {
			t.Errorf("%s: no entry", tc.conf)
		}
	}
}
