package proxy

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestErrorPagesMatchApache renders every canned page as the real Apache
// did for a GET with no ServerAdmin and compares with the captured bodies.
func TestErrorPagesMatchApache(t *testing.T) {
	files, _ := filepath.Glob("testdata/errorpages/*.html")
	if len(files) < 30 {
		t.Fatalf("only %d captured pages", len(files))
	}
	for _, f := range files {
		status, _ := strconv.Atoi(strings.TrimSuffix(filepath.Base(f), ".html"))
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, got := ErrorPage{Status: status, Method: "GET"}.Render()
		if got != string(want) {
			t.Errorf("%d:\n--- got\n%s--- want\n%s", status, got, want)
		}
	}
}

// TestProxyErrorPage is the 502 mod_proxy sends when the backend fails
// mid-response, as captured from Apache (apache_semantics §g).
func TestProxyErrorPage(t *testing.T) {
	reason, body := ErrorPage{Status: 502, Reason: "Proxy Error",
		Notes: "The proxy server could not handle the request<p>Reason: <strong>Error reading from remote server</strong></p>"}.Render()
	want := "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>502 Proxy Error</title>\n</head><body>\n<h1>Proxy Error</h1>\n<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\nThe proxy server could not handle the request<p>Reason: <strong>Error reading from remote server</strong></p></p>\n</body></html>\n"
	if reason != "Proxy Error" || body != want {
		t.Errorf("got %q\n%s", reason, body)
	}
	_, body = ErrorPage{Status: 405, Method: "<DELETE>"}.Render()
	if !strings.Contains(body, "method &lt;DELETE&gt; is not allowed") {
		t.Errorf("method must be escaped: %s", body)
	}
	_, body = ErrorPage{Status: 404, Signature: "<hr>\n<address>Apache/2.4.71 (Debian) Server at a Port 80</address>\n"}.Render()
	if !strings.HasSuffix(body, "</p>\n<hr>\n<address>Apache/2.4.71 (Debian) Server at a Port 80</address>\n</body></html>\n") {
		t.Errorf("signature: %s", body)
	}
}

// TestRedirectPagesMatchApache compares redirect bodies with the ones the
// real Apache sent for Redirect rules (testdata/redirects).
func TestRedirectPagesMatchApache(t *testing.T) {
	for file, page := range map[string]ErrorPage{
		"r301.html":               {Status: 301, URL: "http://x.example/new"},
		"r302.html":               {Status: 302, URL: "http://x.example/new"},
		"r303.html":               {Status: 303, URL: "http://x.example/new"},
		"r307.html":               {Status: 307, URL: "http://x.example/new"},
		"r308.html":               {Status: 308, URL: "http://x.example/new"},
		"r302_sub_q_1_a__b_.html": {Status: 302, URL: "http://x.example/new/sub?q=1&a=<b>"},
		"gone.html":               {Status: 410},
	} {
		want, err := os.ReadFile(filepath.Join("testdata/redirects", file))
		if err != nil {
			t.Fatal(err)
		}
		if _, got := page.Render(); got != string(want) {
			t.Errorf("%s:\n--- got\n%s--- want\n%s", file, got, want)
		}
	}
}
