package expr

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const apacheBin = "/usr/sbin/apache2"

// requireApache skips the test when the real Apache is not installed, or
// fails it when OIDCGATE_REQUIRE_APACHE=1 says it must run.
func requireApache(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(apacheBin); err == nil {
		return
	}
	if os.Getenv("OIDCGATE_REQUIRE_APACHE") == "1" {
		t.Fatalf("%s is missing; run compat-tests/setup.sh (scripts/test-all does)", apacheBin)
	}
	t.Skipf("SKIPPED: %s is missing; run compat-tests/setup.sh to compare with the real Apache", apacheBin)
}

// differentialExprs are conditions evaluated by Apache in <If> sections
// and by Expr.Bool for the same requests. They are written for the
// config tokenizer: double quotes around, single quotes and no
// backslashes inside.
var differentialExprs = []string{
	"true",
	"false",
	"%{REQUEST_METHOD} == 'GET'",
	"%{REQUEST_METHOD} in {'POST', 'PUT'}",
	"!(%{REQUEST_METHOD} -in {'GET', 'HEAD'}) && -n %{QUERY_STRING}",
	"-z %{QUERY_STRING}",
	"%{QUERY_STRING} =~ /(^|&)a=1(&|$)/",
	"%{QUERY_STRING} =~ /b=(t[a-z]+)/ && $1 == 'two'",
	"%{REQUEST_URI} =~ m#^/e[0-9]+/(.+)$# && -n $1",
	"%{REQUEST_URI} =~ m#/(deep)/(path)# && '$2-$1' == 'path-deep'",
	"%{REQUEST_URI} -strmatch '/e*/*'",
	"%{REQUEST_URI} -fnmatch '/e*/*'",
	"%{REQUEST_URI} -strcmatch '/E*/X'",
	"%{HTTP:X-Num} -eq 42",
	"%{HTTP:X-Num} -gt 10 || %{HTTP:X-Num} -lt -1",
	"%{HTTP:X-Num} -ge 0 && %{HTTP:X-Num} -le 7",
	"%{HTTP:X-Num} -ne 0",
	"%{HTTP:X-Num} < '5'",
	"%{HTTP:X-Num} >= '7'",
	"req('X-Mixed') =~ /^hello/i",
	"tolower(%{HTTP:X-Mixed}) == 'hello world'",
	"toupper(http('x-mixed')) == 'HELLO'",
	"%{HTTP_USER_AGENT} =~ m#^probe/#",
	"%{HTTP_ACCEPT} == 'application/json'",
	"%{HTTP_COOKIE} =~ /s=1/",
	"%{HTTP_HOST} =~ /^127[.]0[.]0[.]1:/",
	"%{SERVER_NAME} == '127.0.0.1'",
	"%{REQUEST_SCHEME} == 'http' && %{HTTPS} == 'off'",
	"%{REMOTE_ADDR} -ipmatch '127.0.0.0/8'",
	"%{REMOTE_ADDR} -ipmatch '10.0.0.0/255.0.0.0' || %{REQUEST_METHOD} == 'PUT' && %{REMOTE_ADDR} -ipmatch '127.0.0.0/255.255.0.0'",
	"%{HTTP:X-Num} -eq 12 || -n %{HTTP:X-Num} && %{HTTP:X-Num} -eq 0",
	"%{HTTP:X-Missing} =~ /(.*)/ && $1 == '' && %{QUERY_STRING} =~ /[a-z]/ && $0 == ''",
	"-R '127.0.0.1'",
	"-R '192.168'",
	"unbase64(%{HTTP:X-B64}) == 'alice'",
	"base64(%{REQUEST_METHOD}) == 'UFVU'",
	"md5(%{REQUEST_METHOD}) == '3e75383a5992a6d15fb81e872e46e256' || sha1(%{REQUEST_METHOD}) == 'd6f5636098cd458ce9d22939f8e3e8deab0e9bd0'",
	"escape(%{HTTP:X-Path}) == '/a/b/c.txt' || escape(%{HTTP:X-Path}) == 'a%20b%25'",
	"unescape(%{QUERY_STRING}) == 'q=A'",
	"%{THE_REQUEST} =~ m#^POST /e[0-9]+/x[?]q=%41 HTTP/1[.]1$#",
	"%{SERVER_PROTOCOL} == 'HTTP/1.1'",
	"%{env:FROMHDR} == 'hello' && reqenv('FROMHDR') == 'hello'",
	"osenv('EXPRTEST') == 'on' && %{env:EXPRTEST} == 'on'",
	"-z %{REMOTE_USER} && -z %{AUTH_TYPE}",
	"%{REQUEST_METHOD} . ':' . %{HTTP:X-Num} == 'PUT:abc'",
	"'x' . %{HTTP:X-Missing} . 'y' == 'xy'",
	"-T %{HTTP:X-Flag}",
	"%{HTTP:X-Num} =~ /^-?[0-9]+$/ && !(%{HTTP:X-Num} =~ /^4/) || false",
	"true && false || !false && true",
	"unescape('abc%0a') =~ /abc$/ || unescape('a%0ab') =~ /a$/ || unescape('a%0ab') =~ m#^a.b$#",
	"unescape('abc%0a') =~ /c.$/ && unescape('abc%0a') =~ /(?m)c$/",
	"unescape(%{HTTP:X-Path}) =~ /c[.]txt$/",
	"%{REQUEST_METHOD} == 'DELETE' or %{REQUEST_METHOD} eq 'GET'",
	// Apache's evaluator stops at 20 nested levels ("Recursion limit
	// reached", the <If> is false): 18 nested calls pass, 19 do not.
	nest("tolower(%s)", "'a'", 18) + " == 'a'",
	nest("tolower(%s)", "'a'", 19) + " == 'a'",
	nest("(%s && true)", "true", 19),
	nest("(%s && true)", "true", 20),
}

// nest wraps inner n times in format.
func nest(format, inner string, n int) string {
	for range n {
		inner = fmt.Sprintf(format, inner)
	}
	return inner
}

// elseIfChains are <If>/<ElseIf>/<Else> chains: the first true
// condition's index is sent, or "else".
var elseIfChains = [][]string{
	{"%{REQUEST_METHOD} == 'POST'", "%{HTTP:X-Num} -eq 42", "%{REQUEST_URI} =~ m#/deep/#"},
	{"-n %{HTTP:X-B64}", "-n %{HTTP:X-Set}"},
	{"%{QUERY_STRING} == ''", "%{QUERY_STRING} =~ /^z$/"},
}

// stringExprs are string expressions sent by Apache as a header value
// (Header always set X-V "expr=...") and compared with Expr.String. They
// neither start nor end with a space, which HTTP strips from a value.
var stringExprs = []string{
	"%{REQUEST_METHOD} %{REQUEST_URI}?%{QUERY_STRING}",
	"%{HTTP:X-Num}-%{HTTP:X-Missing}-%{tolower:%{HTTP:X-Mixed}}",
	"%{env:FROMHDR}|%{reqenv:FROMHDR}|%{osenv:EXPRTEST}|%{env:EXPRTEST}",
	"u=%{REMOTE_USER};s=%{HTTPS};n=%{SERVER_NAME};p=%{SERVER_PROTOCOL};a=%{REMOTE_ADDR}",
	"%{base64:%{REQUEST_METHOD}} %{md5:x} %{sha1:%{HTTP:X-Num}} %{escape:%{HTTP:X-Path}}|",
	"%{unbase64:%{HTTP:X-B64}}/%{toupper:%{HTTP_USER_AGENT}}/%{unescape:%{QUERY_STRING}}",
	"x$1 lit \\101 50% 'q' }",
}

// diffRequest is one request sent to every location.
type diffRequest struct {
	method, tail string
	headers      map[string]string
}

var diffRequests = []diffRequest{
	{method: "GET"},
	{method: "GET", tail: "/sub?a=1&b=two", headers: map[string]string{
		"X-Num": "42", "X-Mixed": "Hello World", "User-Agent": "probe/1", "X-Flag": "yes"}},
	{method: "POST", tail: "/x?q=%41", headers: map[string]string{
		"X-Num": "7", "Accept": "application/json", "X-Set": "hello", "Cookie": "s=1", "X-Flag": "off"}},
	{method: "PUT", headers: map[string]string{
		"X-Num": "abc", "X-Mixed": "HELLO", "X-B64": "YWxpY2U=", "X-Flag": "0"}},
	{method: "DELETE", tail: "/deep/path?z", headers: map[string]string{
		"X-Num": "-3", "X-Path": "/a/b/c.txt", "X-Flag": "No"}},
	{method: "GET", tail: "/X", headers: map[string]string{
		"X-Num": "0012", "X-Mixed": "hello", "X-Path": "a b%"}},
}

// TestAgainstApache starts the real Apache with one <Location /eN> per
// expression, each with <If "expr"> Header always set X-E 1 </If>
// <Else> X-E 0 </Else>, sends every request to every location, and
// checks that Expr.Bool agrees with Apache.
func TestAgainstApache(t *testing.T) {
	requireApache(t)
	dir := t.TempDir()
	// Apache's children run as nobody and must reach the DocumentRoot.
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	addr := freePort(t)
	var conf strings.Builder
	fmt.Fprintf(&conf, `LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so
LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so
ServerName expr.test
Listen %s
User nobody
Group nogroup
ErrorLog %s/error.log
PidFile %s/httpd.pid
DocumentRoot %s
SetEnvIf X-Set (.*) FROMHDR=$1
<Directory />
AllowOverride None
</Directory>
`, addr, dir, dir, dir)
	for i, e := range differentialExprs {
		if _, err := Parse(e, Boolean); err != nil {
			t.Fatalf("e%d %q: %v", i, e, err)
		}
		fmt.Fprintf(&conf, "<Location /e%d>\n<If \"%s\">\nHeader always set X-E \"1\"\n</If>\n<Else>\nHeader always set X-E \"0\"\n</Else>\n</Location>\n", i, e)
	}
	for i, src := range stringExprs {
		fmt.Fprintf(&conf, "<Location /s%d>\nHeader always set X-V \"expr=%s\"\n</Location>\n", i, src)
	}
	for i, chain := range elseIfChains {
		fmt.Fprintf(&conf, "<Location /c%d>\n", i)
		for j, e := range chain {
			kw := "ElseIf"
			if j == 0 {
				kw = "If"
			}
			fmt.Fprintf(&conf, "<%s \"%s\">\nHeader always set X-E \"%d\"\n</%s>\n", kw, e, j, kw)
		}
		conf.WriteString("<Else>\nHeader always set X-E \"else\"\n</Else>\n</Location>\n")
	}
	confPath := filepath.Join(dir, "expr.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	apache := exec.Command(apacheBin, "-d", dir, "-f", confPath, "-DFOREGROUND")
	apache.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "EXPRTEST=on"}
	apache.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &strings.Builder{}
	apache.Stdout, apache.Stderr = out, out
	if err := apache.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-apache.Process.Pid, syscall.SIGTERM)
		apache.Wait()
		// Children of the process group outlive the parent briefly.
		for range 50 {
			if syscall.Kill(-apache.Process.Pid, 0) != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		syscall.Kill(-apache.Process.Pid, syscall.SIGKILL)
	}()
	waitListening(t, addr, out)

	client := &http.Client{Timeout: 10 * time.Second}
	send := func(path string, rq diffRequest) string {
		req, err := http.NewRequest(rq.method, "http://"+addr+path+rq.tail, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", "")
		for k, v := range rq.headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", rq.method, path, err)
		}
		resp.Body.Close()
		if v, ok := resp.Header["X-V"]; ok {
			return v[0]
		}
		return resp.Header.Get("X-E")
	}
	agree, total := 0, 0
	for i, src := range differentialExprs {
		e, _ := Parse(src, Boolean)
		path := fmt.Sprintf("/e%d", i)
		pattern := ""
		for _, rq := range diffRequests {
			want := send(path, rq)
			pattern += want
			got, err := e.Bool(diffVars(addr, path, rq))
			if err != nil && err.Error() != "Recursion limit reached" {
				t.Errorf("%s %s%s: %q: %v", rq.method, path, rq.tail, src, err)
				continue
			}
			total++
			if g := map[bool]string{true: "1", false: "0"}[got]; g != want {
				t.Errorf("%s %s%s %v: %q: Apache %q, Bool %v", rq.method, path, rq.tail, rq.headers, src, want, got)
				continue
			}
			agree++
		}
		t.Logf("e%-2d %s  %s", i, pattern, src)
	}
	for i, chain := range elseIfChains {
		path := fmt.Sprintf("/c%d", i)
		for _, rq := range diffRequests {
			want := send(path, rq)
			got := "else"
			for j, src := range chain {
				e, err := Parse(src, Boolean)
				if err != nil {
					t.Fatal(err)
				}
				if ok, _ := e.Bool(diffVars(addr, path, rq)); ok {
					got = fmt.Sprint(j)
					break
				}
			}
			total++
			if got != want {
				t.Errorf("%s %s%s: chain %q: Apache %q, Bool %q", rq.method, path, rq.tail, chain, want, got)
				continue
			}
			agree++
		}
	}
	if agree == 0 {
		b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		t.Logf("error.log:\n%s\nstdout:\n%s", b, out)
	}
	for i, src := range stringExprs {
		e, err := Parse(src, String)
		if err != nil {
			t.Fatalf("s%d %q: %v", i, src, err)
		}
		path := fmt.Sprintf("/s%d", i)
		for _, rq := range diffRequests {
			want := send(path, rq)
			got, err := e.String(diffVars(addr, path, rq))
			total++
			if err != nil || got != want {
				t.Errorf("%s %s%s: %q: Apache %q, String %q, %v", rq.method, path, rq.tail, src, want, got, err)
				continue
			}
			agree++
		}
	}
	t.Logf("%d of %d (expression, request) results agree with Apache", agree, total)
}

// diffVars is what Apache knows of a request sent by TestAgainstApache.
func diffVars(addr, path string, rq diffRequest) *fakeVars {
	target := path + rq.tail
	uri, query, _ := strings.Cut(target, "?")
	host, _, _ := net.SplitHostPort(addr)
	v := &fakeVars{
		vars: map[string]string{
			"REQUEST_METHOD": rq.method, "REQUEST_URI": uri, "QUERY_STRING": query,
			"REMOTE_ADDR": "127.0.0.1", "HTTPS": "off", "REQUEST_SCHEME": "http",
			"SERVER_NAME": host, "SERVER_PROTOCOL": "HTTP/1.1",
			"THE_REQUEST": rq.method + " " + target + " HTTP/1.1",
		},
		hdr:   map[string]string{"host": addr},
		env:   map[string]string{},
		notes: map[string]string{},
		os:    map[string]string{"EXPRTEST": "on", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
	}
	for k, val := range rq.headers {
		v.hdr[strings.ToLower(k)] = val
	}
	if s, ok := rq.headers["X-Set"]; ok {
		v.env["FROMHDR"] = s
	}
	return v
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitListening(t *testing.T, addr string, out fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("Apache is not listening on %s:\n%s", addr, out)
}

// parseCases are expressions, valid and not, whose parse result is
// compared with apache2 -t's (Header ... "expr=<expression>"): the same
// acceptance and the same message.
var parseCases = []string{
	"foo == 'a'", "'a' == 'b' 'c'", "tolower('a' 'b') == 'x'", "tolower 'a'", "(true))",
	"'a' in {}", "'a' in {'a',}", "'a' in 'b'", "-n", "-n 'a' 'b'",
	"'a' -ipmatch %{REMOTE_ADDR}", "-R 10", "-R '1.2.3.4/33'", "-R '1.2.3'", "-R 'fe80::/10'",
	"%{REMOTE_ADDR} -ipmatch '10.0.0.0/255.0.255.0'", "%{REMOTE_ADDR} -ipmatch '10.0.0.1/8'",
	"'a' =~ /a/x", "'a' =~ m/a/i == 'b'", "%{tolower:A} == 'a'", "%{nope:A} == 'a'",
	"%{} == 'a'", "%{:x} == 'a'", "$10 == 'a'", "'$' == '%'", "'%{' == 'a'", "true true", "!",
	"'a' -strmatch", "%{HTTP_X} == 'a' && foo('b') == 'c'", "'a' == 'b' ||",
	"'a' -in {'a'} == 'b'", "'a' =~ /(/", `'a\' == 'a'`, "-X 'a'", "-ipmatch 'a'",
	"'a' -eq 'b' -eq 'c'", "true && (false", `'\n' == 'a'`, `'\8' == 'a'`,
	"%{REQUEST_URI} =~ m##", "PeerExtList('x') == 'x'", "'a' in PeerExtList('x')",
	"'a' & 'b'", "& 'b'", "%{REQ-METHOD} == 'a'", "'it''s' == 'x'", "%{NOPE} == ",
	"(true", "true &&", "", "'a' in {'b'", "'a' =~ 'b'", "'a' =~ /abc", "%{HTTP:}",
	"'a' . == 'b'", "%{NOPE} == 'x' && %{NOPE2} == 'y'", `'\777' == ''`, "%{REQUEST_URI} =~ /^\\/a\\//",
	"true and not false or false", "%{http_host} == 'x'", "%{Http:Host} == 'x'", "HTTP('x') == ''",
	"-z %{HTTP_USER_AGENT} && %{TIME_YEAR} -gt 2000", "'a' -STRMATCH 'A'", "- 'a'", "'a' -fnmatch",
	"%{HTTP:a%{REMOTE_USER}b} == 'c'", "%{HTTP:a$1} == ''", "'a' =~ m!x!i", "'a' =~ m_x_",
	"'x' -in {'a', 'b' . 'c', %{REMOTE_USER}}", "-n 'a' . 'b'", "!-z 'a'", "true || -R '::1'",
	"%{REQUEST_URI} =~ m#(?i)abc#", "%{REQUEST_URI} =~ /\\d+/",
}

// stringParseCases are string expressions (Header set X "expr=<value>")
// compared the same way.
var stringParseCases = []string{
	"plain", "%{REMOTE_USER}", "a%{NOPE}b", "%{REQUEST_METHOD", "50% $ } 'q'", `\101\x`,
	`a\9`, `a\777`, "%{HTTP:}", "%{tolower:%{REQUEST_METHOD}}", "$1$x", "%{REQ-X}", "%{nope:x}",
	"%{HTTP:a'b}", "%{}",
}

// TestParseAgainstApache runs apache2 -t on each of parseCases and
// compares acceptance and message with Parse.
func TestParseAgainstApache(t *testing.T) {
	requireApache(t)
	dir := t.TempDir()
	same := 0
	type pcase struct {
		src  string
		mode Mode
	}
	var cases []pcase
	for _, s := range parseCases {
		cases = append(cases, pcase{s, Boolean})
	}
	for _, s := range stringParseCases {
		cases = append(cases, pcase{s, String})
	}
	for i, c := range cases {
		src := c.src
		header := `"1" "expr=` + src + `"`
		if c.mode == String {
			header = `"expr=` + src + `"`
		}
		conf := fmt.Sprintf(`LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so
ServerName x
Listen 127.0.0.1:1
ErrorLog %[1]s/error.log
PidFile %[1]s/pid
<Location /x>
Header always set X-E %[2]s
</Location>
`, dir, header)
		path := filepath.Join(dir, fmt.Sprintf("p%d.conf", i))
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command(apacheBin, "-t", "-d", dir, "-f", path).CombinedOutput()
		apache := "OK"
		switch {
		case strings.Contains(string(out), "flex scanner jammed"):
			// Apache's scanner has no rule for the input and the
			// process exits; Parse must refuse it.
			if _, err := Parse(src, c.mode); err == nil {
				t.Errorf("%v %q: apache2 -t dies (flex scanner jammed), Parse accepts it", c.mode, src)
				continue
			}
			same++
			continue
		case !strings.Contains(string(out), "Syntax OK"):
			lines := strings.Split(string(out), "\n")
			if len(lines) < 2 {
				t.Fatalf("%q: unexpected apache2 -t output:\n%s", src, out)
			}
			apache = strings.TrimPrefix(lines[1], "Can't parse envclause/expression: ")
			apache = strings.TrimPrefix(apache, "Can't parse value expression : ")
		}
		ours := "OK"
		if _, err := Parse(src, c.mode); err != nil {
			ours = err.Error()
		}
		if ours != apache {
			t.Errorf("%v %q:\n apache2 -t: %s\n Parse:      %s", c.mode, src, apache, ours)
			continue
		}
		same++
	}
	t.Logf("%d of %d parse results (acceptance and message) identical to apache2 -t", same, len(cases))
}
