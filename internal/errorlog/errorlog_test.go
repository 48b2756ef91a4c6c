package errorlog

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

func load(t *testing.T, root, conf string) *apacheconf.Config {
	t.Helper()
	file := filepath.Join(root, "main.conf")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "x.so"), nil, 0o644)
	cfg, diags := apacheconf.Load(apacheconf.Options{File: file, ServerRoot: root, Envvars: apacheconf.EnvvarsOff})
	if cfg == nil {
		t.Fatalf("load: %v", diags)
	}
	return cfg
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apacheShape is the shape of the line Apache 2.4.71 writes (testdata).
var apacheShape = regexp.MustCompile(`^\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[[a-z_]+:(emerg|alert|crit|error|warn|notice|info|debug|trace[1-8])\] \[pid \d+:tid \d+\] (\[client [0-9.:]+\] )?\S`)

func TestLineShapeMatchesApache(t *testing.T) {
	ref := read(t, "testdata/apache2.4.71_proxy_error.log")
	var client string
	for _, l := range strings.Split(strings.TrimSpace(ref), "\n") {
		if !apacheShape.MatchString(l) {
			t.Fatalf("the pattern does not describe Apache's line %q", l)
		}
		if client == "" && strings.Contains(l, "[client ") {
			client = l
		}
	}
	when := time.Date(2026, 12, 1, 14, 7, 20, 506178000, time.Local)
	got := formatLine(when, "proxy_http", LevelError, "127.0.0.1:36342", "AH01114: HTTP: failed to make connection to backend: 127.0.0.1", nil)
	if !apacheShape.MatchString(got) {
		t.Fatalf("line %q does not have Apache's shape", got)
	}
	// Apart from pid and tid, the line is Apache's.
	norm := regexp.MustCompile(`\[pid \d+:tid \d+\]`)
	if a, b := norm.ReplaceAllString(strings.TrimSpace(got), "[pid P:tid T]"), norm.ReplaceAllString(client, "[pid P:tid T]"); a != b {
		t.Errorf("\n got %s\nwant %s", a, b)
	}
}

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		name string
		lv   slog.Level
	}{{"emerg", LevelEmerg}, {"crit", LevelCrit}, {"error", slog.LevelError}, {"warn", slog.LevelWarn}, {"notice", LevelNotice}, {"info", slog.LevelInfo}, {"debug", slog.LevelDebug}, {"trace1", LevelTrace1}, {"trace5", slog.LevelDebug - 5}, {"trace8", LevelTrace8}} {
		lv, ok := ParseLevel(tc.name)
		if !ok || lv != tc.lv || LevelName(lv) != tc.name {
			t.Errorf("%s: %v %v %s", tc.name, lv, ok, LevelName(lv))
		}
	}
	if _, ok := ParseLevel("trace9"); ok {
		t.Error("trace9")
	}
}

func TestFilesPerVHostAndModuleLevels(t *testing.T) {
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "logs"), 0o755)
	cfg := load(t, root, `LoadModule mpm_event_module x.so
LoadModule proxy_module x.so
LoadModule auth_openidc_module x.so
ServerName main.example
Listen 127.0.0.1:8080
ErrorLog logs/error.log
LogLevel warn proxy:debug auth_openidc:error
<VirtualHost *:8080>
ServerName a.example
ErrorLog logs/a_error.log
LogLevel info
</VirtualHost>
<VirtualHost *:8080>
ServerName b.example
</VirtualHost>
`)
	var stderr bytes.Buffer
	logs := New(Options{Stderr: &stderr})
	if err := logs.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	log := logs.Logger()
	proxy := log.With(Module("proxy"))
	proxy.Debug("proxy debug")                                                 // main: proxy:debug
	proxy.Info("proxy info", "backend", "127.0.0.1:1")                         // main
	log.Info("core info")                                                      // main: warn → dropped
	log.Warn("core warn")                                                      // main
	log.Warn("oidc warn", ModuleKey, "oidc")                                   // auth_openidc:error → dropped
	log.Error("oidc error", ModuleKey, "auth_openidc", ClientKey, "1.2.3.4:5") // main
	a := log.With(Server(cfg.VHosts[0]))
	a.Info("a info", ModuleKey, "proxy") // a's LogLevel info replaces the main's
	a.Debug("a debug", ModuleKey, "proxy")
	log.Log(context.Background(), LevelNotice, "oidc notice", ModuleKey, "auth_openidc") // notices pass any level
	log.Warn("b warn", Server(cfg.VHosts[1]))                                            // b inherits main's log
	logs.Close()

	main := read(t, filepath.Join(root, "logs/error.log"))
	for _, want := range []string{"[proxy:debug]", "] proxy debug\n", "[proxy:info]", "] proxy info, backend: 127.0.0.1:1\n", "[core:warn]", "] core warn\n", "[auth_openidc:error]", "[client 1.2.3.4:5] oidc error\n", "] b warn\n", "[auth_openidc:notice]"} {
		if !strings.Contains(main, want) {
			t.Errorf("main log lacks %q:\n%s", want, main)
		}
	}
	for _, not := range []string{"core info", "oidc warn", "a info"} {
		if strings.Contains(main, not) {
			t.Errorf("main log has %q", not)
		}
	}
	va := read(t, filepath.Join(root, "logs/a_error.log"))
	if !strings.Contains(va, "[proxy:info]") || !strings.Contains(va, "a info") || strings.Contains(va, "a debug") {
		t.Errorf("vhost log:\n%s", va)
	}
	for _, l := range strings.Split(strings.TrimSpace(main+va), "\n") {
		if !apacheShape.MatchString(l) {
			t.Errorf("shape: %q", l)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
}

func TestReconfigureReopens(t *testing.T) {
	root := t.TempDir()
	cfg := load(t, root, "LoadModule mpm_event_module x.so\nServerName m\nListen 127.0.0.1:8080\nErrorLog err.log\n")
	logs := New(Options{})
	defer logs.Close()
	if err := logs.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	log := logs.Logger().With(Module("proxy")) // handed out before the reload
	log.Error("before")
	path := filepath.Join(root, "err.log")
	os.Rename(path, path+".1")
	if err := logs.Configure(cfg); err != nil { // SIGHUP
		t.Fatal(err)
	}
	log.Error("after")
	if old, cur := read(t, path+".1"), read(t, path); !strings.Contains(old, "before") || strings.Contains(old, "after") || !strings.Contains(cur, "after") {
		t.Errorf("rotated %q, current %q", old, cur)
	}
}

func TestPipedErrorLogAndJSON(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "piped")
	cfg := load(t, root, "LoadModule mpm_event_module x.so\nServerName m\nListen 127.0.0.1:8080\nErrorLog \"|$cat > "+out+"\"\nLogLevel info\n")
	logs := New(Options{})
	if err := logs.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	logs.Logger().Info("through the pipe")
	logs.Close() // closes the program's input and waits for it
	if got := read(t, out); !strings.Contains(got, "[core:info]") || !strings.Contains(got, "] through the pipe\n") {
		t.Errorf("piped: %q", got)
	}

	var stderr bytes.Buffer
	logs = New(Options{JSON: true, Stderr: &stderr})
	if err := logs.Configure(cfg); err != nil { // the pipe is not started
		t.Fatal(err)
	}
	logs.Logger().With(Module("proxy")).Warn("json line", ClientKey, "1.2.3.4:5", "backend", "x")
	logs.Logger().Debug("filtered")
	got := stderr.String()
	if !strings.Contains(got, `"level":"warn","msg":"json line","module":"proxy","client":"1.2.3.4:5","backend":"x"`) || strings.Contains(got, "filtered") {
		t.Errorf("json: %s", got)
	}
}

func TestSyslogFallsBack(t *testing.T) {
	root := t.TempDir()
	cfg := load(t, root, "LoadModule mpm_event_module x.so\nServerName m\nListen 127.0.0.1:8080\nErrorLog syslog:local1\n")
	var stderr bytes.Buffer
	logs := New(Options{Stderr: &stderr})
	err := logs.Configure(cfg)
	if err == nil || !strings.Contains(err.Error(), "syslog is not supported") {
		t.Fatalf("err %v", err)
	}
	logs.Logger().Error("to stderr")
	if !strings.Contains(stderr.String(), "] to stderr") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestMessagesStayOnOneLine(t *testing.T) {
	got := formatLine(time.Now(), "core", LevelError, "", "a\nb", []slog.Attr{slog.String("k", "c\td")})
	if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, `a\nb, k: c\td`+"\n") {
		t.Errorf("%q", got)
	}
}

func TestServerAttrElsewhere(t *testing.T) {
	var b bytes.Buffer
	srv := &apacheconf.Server{Name: "vh.example"}
	slog.New(slog.NewTextHandler(&b, nil)).Error("x", Server(srv))
	if !strings.Contains(b.String(), "vhost=vh.example") {
		t.Errorf("%s", b.String())
	}
}
