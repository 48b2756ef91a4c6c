package apacheconf

import "testing"

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
		items, msg := parseLogFormat(s)
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
