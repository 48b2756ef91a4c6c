package proxy

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// cannedError is one of Apache's built-in error documents.
type cannedError struct {
	reason, heading, body string
}

// ErrorPage describes an error response Apache would write itself.
type ErrorPage struct {
	Status int
	// Method is the request method (some bodies name it).
	Method string
	// Admin is ServerAdmin as Apache renders it in 500-class pages; empty
	// means "[no address given]".
	Admin string
	// Notes are Apache's "error-notes" (mod_proxy's reason for a 502),
	// inserted where the canned body allows them; they must already be
	// HTML-escaped.
	Notes string
	// Additional is the status of an error met while serving the
	// ErrorDocument for Status (Apache's recursive_error), 0 for none.
	Additional int
	// Reason overrides the reason phrase and heading (mod_proxy answers
	// "502 Proxy Error").
	Reason string
	// Signature is the ServerSignature footer ("" when Off).
	Signature string
	// URL is the target of a redirect (3xx), shown in the body.
	URL string
}

// redirectBodies are Apache's bodies for redirects; %s is the escaped URL.
var redirectBodies = map[int]struct{ reason, body string }{
	301: {"Moved Permanently", "<p>The document has moved <a href=\"%s\">here</a>.</p>\n"},
	302: {"Found", "<p>The document has moved <a href=\"%s\">here</a>.</p>\n"},
	303: {"See Other", "<p>The answer to your request is located <a href=\"%s\">here</a>.</p>\n"},
	307: {"Temporary Redirect", "<p>The document has moved <a href=\"%s\">here</a>.</p>\n"},
	308: {"Permanent Redirect", "<p>The document has moved <a href=\"%s\">here</a>.</p>\n"},
}

// Render returns the status line's reason phrase and the HTML body Apache
// sends, byte for byte (Content-Type text/html; charset=iso-8859-1).
func (e ErrorPage) Render() (reason, body string) {
	c, ok := cannedErrors[e.Status]
	if rb, isRedirect := redirectBodies[e.Status]; isRedirect {
		c, ok = cannedError{reason: rb.reason, heading: rb.reason, body: fmt.Sprintf(rb.body, htmlEscape(e.URL))}, true
	}
	if !ok {
		c = cannedErrors[500]
		c.reason, c.heading = "Unknown", "Unknown"
	}
	reason, heading := c.reason, c.heading
	if e.Reason != "" {
		reason, heading = e.Reason, e.Reason
	}
	method := e.Method
	if method == "" {
		method = "GET"
	}
	admin := e.Admin
	if admin == "" {
		admin = "[no address given]"
	}
	text := strings.NewReplacer("{{METHOD}}", htmlEscape(method), "{{ADMIN}}", admin).Replace(c.body)
	// Bodies that end with "<br />" and a line break take the notes there
	// (Apache's add_optional_notes); the break is CRLF in some of them.
	// A 500 with notes (mod_proxy's ap_proxyerror sets verbose-error-to
	// "*") shows only the notes (get_canned_error_string).
	if e.Notes != "" && e.Status == 500 {
		text = e.Notes + "<p />\n"
	} else if e.Notes != "" && (strings.HasSuffix(text, "<br />\n</p>\n") || strings.HasSuffix(text, "<br />\r\n</p>\n")) {
		text = strings.TrimSuffix(text, "</p>\n") + e.Notes + "</p>\n"
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>")
	b.WriteString(strconv.Itoa(e.Status))
	b.WriteString(" ")
	b.WriteString(reason)
	b.WriteString("</title>\n</head><body>\n<h1>")
	b.WriteString(heading)
	b.WriteString("</h1>\n")
	b.WriteString(text)
	if e.Additional != 0 {
		b.WriteString("<p>Additionally, a ")
		b.WriteString(strconv.Itoa(e.Additional))
		b.WriteString(" ")
		b.WriteString(http.StatusText(e.Additional))
		b.WriteString("\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n")
	}
	b.WriteString(e.Signature)
	b.WriteString("</body></html>\n")
	return reason, b.String()
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
