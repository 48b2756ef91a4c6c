package urlcheck

import (
	"bufio"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const testHost = "www.example.com"

type refusedCase struct {
	line   int
	title  string
	target string
}

func loadRefused(t testing.TB) []refusedCase {
	t.Helper()
	f, err := os.Open("testdata/refused.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []refusedCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		title, quoted, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("refused.txt:%d: no TAB", n)
		}
		target, err := strconv.Unquote(quoted)
		if err != nil {
			t.Fatalf("refused.txt:%d: %v", n, err)
		}
		cases = append(cases, refusedCase{n, title, target})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestValidateRedirectRefused(t *testing.T) {
	cases := loadRefused(t)
	if len(cases) < 150 {
		t.Fatalf("only %d refused cases", len(cases))
	}
	for _, c := range cases {
		err := ValidateRedirect(c.target, testHost, nil)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("refused.txt:%d: %q accepted (err %v)", c.line, c.target, err)
			continue
		}
		if e.Title != c.title {
			t.Errorf("refused.txt:%d: %q: title %q, want %q (%s)", c.line, c.target, e.Title, c.title, e.Description)
		}
		// The module quotes the target raw (its page escapes HTML, a CR or
		// LF is harmless there); a NUL never gets this far.
		if strings.ContainsAny(e.Description, "\x00") {
			t.Errorf("refused.txt:%d: description carries NUL: %q", c.line, e.Description)
		}
	}
}

func TestValidateRedirectAccepted(t *testing.T) {
	for _, target := range []string{
		"/",
		"/path?q=1#f",
		"/relative?with=query&and=more",
		"/a/b/c.html",
		"/a%20b",
		"/loggedout?msg=good bye",
		"/x?next=%2Fhome",
		"/x#",
		"/?",
		"https://www.example.com/x",
		"https://www.example.com",
		"https://www.example.com?x=1",
		"https://www.example.com#frag",
		"https://www.example.com/",
		"http://www.example.com/",
		"HTTPS://WWW.EXAMPLE.COM:8443/x",
		"https://WWW.Example.Com/x",
		"https://www.example.com:443/x",
		"https://www.example.com:/x",
		"//www.example.com/x",
		`https://www.example.com\x`,   // a browser reads '\' as '/': same host
		`/\www.example.com/loggedout`, // becomes //www.example.com/loggedout
		"/.//evil.example",            // a path on this host
		"/%2e%2e/x",
	} {
		if err := ValidateRedirect(target, testHost, nil); err != nil {
			t.Errorf("%q refused: %v", target, err)
		}
	}
}

func TestValidateRedirectLength(t *testing.T) {
	ok := "/" + strings.Repeat("a", MaxRedirectLength-1)
	if err := ValidateRedirect(ok, testHost, nil); err != nil {
		t.Errorf("%d bytes refused: %v", len(ok), err)
	}
	for _, long := range []string{
		ok + "a",
		"/" + strings.Repeat("a", 1<<20),
		"https://www.example.com/" + strings.Repeat("%2f", MaxRedirectLength),
	} {
		var e *Error
		if !errors.As(ValidateRedirect(long, testHost, nil), &e) || e.Title != TitleTooLong {
			t.Errorf("%d bytes: got %v, want %q", len(long), e, TitleTooLong)
		}
	}
}

func TestValidateRedirectIPv6(t *testing.T) {
	host := "[2001:db8::1]"
	for _, target := range []string{
		"https://[2001:db8::1]/x",
		"https://[2001:DB8::1]:8443/x",
		"//[2001:db8::1]/",
		"/x",
	} {
		if err := ValidateRedirect(target, host, nil); err != nil {
			t.Errorf("%q refused: %v", target, err)
		}
	}
	for _, target := range []string{
		"https://[2001:db8::2]/",
		"https://2001:db8::1/",
		"https://[2001:db8::1%25eth0]/",
		"https://[2001:0db8::1]/", // same address, different spelling: refused
		"https://www.example.com/",
		"https://[2001:db8::1]]/",
	} {
		if err := ValidateRedirect(target, host, nil); err == nil {
			t.Errorf("%q accepted", target)
		}
	}
}

func TestValidateRedirectAllowed(t *testing.T) {
	allowed := []*regexp.Regexp{
		regexp.MustCompile(`^https://app\.example\.org/`),
		regexp.MustCompile(`^/local/`),
		regexp.MustCompile(`^com\.example\.app://callback`),
		regexp.MustCompile(`^javascript:`),
	}
	for _, target := range []string{
		"https://app.example.org/x", // no host comparison in this mode
		"https://app.example.org/@evil.example",
		`https://app.example.org\x`, // patterns see the backslash-normalised copy
		"/local/x",
		"com.example.app://callback?code=1",
	} {
		if err := ValidateRedirect(target, testHost, allowed); err != nil {
			t.Errorf("%q refused: %v", target, err)
		}
	}
	for target, title := range map[string]string{
		"https://www.example.com/x":             TitleNotAllowed, // same host, but not listed
		"/other":                                TitleNotAllowed,
		"https://evil.example/":                 TitleNotAllowed,
		"//app.example.org/":                    TitleNotAllowed,
		"javascript:alert(1)":                   TitleMalformedURL,
		"javascript://app.example.org/%0a1":     TitleInvalidURL,
		"https://app.example.org/%2f/x":         TitleInvalidURL,
		"https://app.example.org/\r\nX: y":      TitleInvalidURL,
		"//local/x":                             TitleNotAllowed,
		"/local//x":                             "",
		"https://app.example.org@evil.example/": TitleNotAllowed,
	} {
		err := ValidateRedirect(target, testHost, allowed)
		if title == "" {
			if err != nil {
				t.Errorf("%q refused: %v", target, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Title != title {
			t.Errorf("%q: got %v, want %q", target, err, title)
		}
	}
	// userinfo is refused even when a careless pattern matches
	careless := []*regexp.Regexp{regexp.MustCompile(`^https://app\.example\.org`)}
	for _, target := range []string{
		"https://app.example.org@evil.example/",
		"https://app.example.org:x@evil.example/",
	} {
		if err := ValidateRedirect(target, testHost, careless); err == nil {
			t.Errorf("%q accepted with a careless pattern", target)
		}
	}
}

func TestErrorString(t *testing.T) {
	err := ValidateRedirect("https://evil.example/", testHost, nil)
	want := `Invalid Request: URL value "https://evil.example/" does not match the hostname of the current request "www.example.com"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestParseAPR pins the apr_uri_parse behaviour parseAPR reproduces, as
// observed with Debian 12's libaprutil1 1.6.3.
func TestParseAPR(t *testing.T) {
	type res struct {
		ok      bool
		hasHost bool
		host    string
	}
	for in, want := range map[string]res{
		"/x":                        {true, false, ""},
		"//h/x":                     {true, true, "h"},
		"///h":                      {true, false, ""},
		"//":                        {true, true, ""},
		"https:h":                   {true, false, ""},
		"https:/h":                  {true, false, ""},
		"https:///h":                {true, true, ""},
		"a-b.c+d:x":                 {true, false, ""},
		"a b://x/":                  {false, false, ""},
		"1a:":                       {false, false, ""},
		"a?b:c":                     {false, false, ""},
		"a/b:c":                     {true, false, ""},
		"https://a@b@c/":            {true, true, "c"},
		"https://[::1]:80/":         {true, true, "::1"},
		"https://[::1/":             {false, true, ""},
		"https://[::1]x:80/":        {true, true, "::1]x:8"},
		"https://h:/":               {true, true, "h"},
		"https://h:+8/":             {true, true, "h"},
		"https://h:\t1/":            {true, true, "h"},
		"https://h:1 /":             {false, true, ""},
		"https://h:0x10/":           {false, true, ""},
		"http://a?b@c/":             {true, true, "a"},
		"HTTPS://WWW.EXAMPLE.COM/x": {true, true, "WWW.EXAMPLE.COM"},
	} {
		u, ok := parseAPR(in)
		got := res{ok, u.hasHost, u.hostname}
		if !ok {
			got.host = ""
		}
		if got != want {
			t.Errorf("parseAPR(%q) = %+v, want %+v", in, got, want)
		}
	}
}
