// Package echo is a backend for demos and tests that answers every request
// with a description of the request it received: method, URI, Host,
// protocol, remote address and every header, sorted, with the identity
// headers a gateway such as oidcgate or mod_auth_openidc adds (OIDC_*,
// X-Remote-User, ...) marked. Browsers get an HTML page; clients that
// accept application/json (and not text/html first) get JSON.
//
// Header names are shown as net/http hands them over: canonicalised, so
// "OIDC_CLAIM_email" arrives as "Oidc_claim_email". Compare them without
// regard to case.
package echo

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"sort"
	"strings"
)

// Header is one header line of the echoed request.
type Header struct {
	// Name is the header name as net/http canonicalised it.
	Name string `json:"name"`
	// Value is one value; a header sent several times gives several
	// entries, in order.
	Value string `json:"value"`
	// Identity is true for headers that carry the authenticated user's
	// identity or tokens (see IsIdentityHeader).
	Identity bool `json:"identity"`
}

// Request is the echoed view of a request, the JSON answer's shape.
type Request struct {
	// Method is the request method.
	Method string `json:"method"`
	// URI is the request target as received (path and query, not decoded).
	URI string `json:"uri"`
	// Host is the Host header (or the authority of an absolute URI).
	Host string `json:"host"`
	// Proto is the protocol version, e.g. "HTTP/1.1".
	Proto string `json:"proto"`
	// RemoteAddr is the peer's address (the gateway's, behind a proxy).
	RemoteAddr string `json:"remote_addr"`
	// Headers are every header value, sorted by name.
	Headers []Header `json:"headers"`
}

// Handler answers every request with the view of it. The zero value is
// ready to use.
type Handler struct {
	// Title heads the HTML page; empty means "oidcgate echo backend".
	Title string
}

// New returns a Handler with the given page title.
func New(title string) *Handler { return &Handler{Title: title} }

// identityPrefixes mark headers set by authenticating gateways
// (mod_auth_openidc, oauth2-proxy, Pomerium and the like), compared in
// lower case with '_' and '-' both allowed.
var identityPrefixes = []string{"oidc_", "oidc-", "x-remote-", "remote-user", "x-forwarded-user", "x-forwarded-email",
	"x-forwarded-preferred-username", "x-forwarded-groups", "x-forwarded-access-token", "x-auth-request-", "x-pomerium-",
	"x-userinfo", "x-id-token", "x-access-token", "x-user", "x-email"}

// IsIdentityHeader reports whether a header name is one a gateway uses to
// pass the authenticated identity or tokens to the backend.
func IsIdentityHeader(name string) bool {
	n := strings.ToLower(name)
	if n == "authorization" {
		return true
	}
	for _, p := range identityPrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// Describe builds the view of a request, headers sorted by name
// (case-insensitively) then in the order received.
func Describe(r *http.Request) Request {
	out := Request{Method: r.Method, URI: r.RequestURI, Host: r.Host, Proto: r.Proto, RemoteAddr: r.RemoteAddr}
	if out.URI == "" {
		out.URI = r.URL.RequestURI()
	}
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := strings.ToLower(names[i]), strings.ToLower(names[j])
		if a != b {
			return a < b
		}
		return names[i] < names[j]
	})
	for _, k := range names {
		for _, v := range r.Header[k] {
			out.Headers = append(out.Headers, Header{Name: k, Value: v, Identity: IsIdentityHeader(k)})
		}
	}
	return out
}

// wantsJSON reports whether the Accept header prefers JSON to HTML.
func wantsJSON(accept string) bool {
	j, h := -1, -1
	for i, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "application/json", "application/*+json":
			if j < 0 {
				j = i
			}
		case "text/html":
			if h < 0 {
				h = i
			}
		}
	}
	return j >= 0 && (h < 0 || j < h)
}

var page = template.Must(template.New("echo").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:60em;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
td.v{font-family:ui-monospace,monospace;word-break:break-all}tr.id{background:#fff3c4}tr.id td:first-child{font-weight:bold}
.note{color:#666;font-size:.9em}
</style></head><body>
<h1>{{.Title}}</h1>
<p>This backend shows the request it received. <span class="note">Identity headers are highlighted; header names as Go's net/http canonicalised them.</span></p>
<table>
<tr><th>Method</th><td class="v">{{.R.Method}}</td></tr>
<tr><th>URI</th><td class="v">{{.R.URI}}</td></tr>
<tr><th>Host</th><td class="v">{{.R.Host}}</td></tr>
<tr><th>Protocol</th><td class="v">{{.R.Proto}}</td></tr>
<tr><th>Remote address</th><td class="v">{{.R.RemoteAddr}}</td></tr>
</table>
<h2>Headers{{with .Identity}} ({{.}} identity){{end}}</h2>
<table>{{range .R.Headers}}<tr{{if .Identity}} class="id"{{end}}><td>{{.Name}}</td><td class="v">{{.Value}}</td></tr>
{{end}}</table>
</body></html>
`))

// ServeHTTP writes the view of r.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d := Describe(r)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if wantsJSON(r.Header.Get("Accept")) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(d)
		return
	}
	title := h.Title
	if title == "" {
		title = "oidcgate echo backend"
	}
	n := 0
	for _, hd := range d.Headers {
		if hd.Identity {
			n++
		}
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, map[string]any{"Title": title, "R": d, "Identity": n}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_, _ = w.Write(buf.Bytes())
}
