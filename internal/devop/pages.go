package devop

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
)

// pageTemplates are the provider's HTML pages; each carries the
// not-for-production banner.
var pageTemplates = template.Must(template.New("layout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oidcgate development provider</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#fafafa;color:#222}
.banner{background:#b00020;color:#fff;font-weight:bold;padding:.6em 1em;text-align:center;letter-spacing:.03em}
main{max-width:46em;margin:1.5em auto;padding:0 1em}
.user{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8em 1em;margin:.8em 0}
.user button{font-size:1em;padding:.4em 1.2em;cursor:pointer}
.err{color:#b00020;font-weight:bold}
code,pre{background:#eee;padding:.1em .3em;border-radius:3px}
pre{padding:.6em;overflow:auto;font-size:.85em}
small{color:#666}
</style></head><body>
<div class="banner" role="alert">DEVELOPMENT OPENID PROVIDER — NOT FOR PRODUCTION: anyone can log in as any user below.</div>
<main>{{template "body" .}}</main></body></html>
`))

// chooserBody lists the users with a button each.
const chooserBody = `{{define "body"}}<h1>Log in to <code>{{.Client}}</code></h1>
<p><small>Issuer {{.Issuer}} · redirect URI {{.RedirectURI}}</small></p>
{{with .Message}}<p class="err">{{.}}</p>{{end}}
{{range .Users}}<form class="user" method="post" action="{{$.Action}}">
<input type="hidden" name="request" value="{{$.Request}}"><input type="hidden" name="sub" value="{{.Subject}}">
<strong>{{.Name}}</strong> <small>sub {{.Subject}}{{with .Email}} · {{.}}{{end}}</small>
{{if .Password}}<label>password <input type="password" name="password" autocomplete="off"></label>{{end}}
<button type="submit">Log in as {{.Name}}</button>
<details><summary><small>claims</small></summary><pre>{{.Claims}}</pre></details>
</form>{{end}}
<form method="post" action="{{.Action}}"><input type="hidden" name="request" value="{{.Request}}">
<button type="submit" name="deny" value="1">Cancel (access_denied)</button></form>{{end}}`

// messageBody is a title and a text.
const messageBody = `{{define "body"}}<h1>{{.Title}}</h1>{{with .Code}}<p class="err"><code>{{.}}</code></p>{{end}}<p>{{.Text}}</p>
{{with .Items}}<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}`

var (
	chooserTmpl = template.Must(template.Must(pageTemplates.Clone()).Parse(chooserBody))
	messageTmpl = template.Must(template.Must(pageTemplates.Clone()).Parse(messageBody))
)

// chooserUser is one user on the chooser page.
type chooserUser struct {
	Subject, Name, Email, Claims string
	Password                     bool
}

// renderHTML executes a page template and writes it with status.
func renderHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// chooserPage shows the user chooser for a valid authorization request.
func (p *Provider) chooserPage(w http.ResponseWriter, req *authRequest, msg string) {
	users := make([]chooserUser, 0, len(p.users))
	for _, u := range p.users {
		email, _ := u.Claims["email"].(string)
		b, _ := json.MarshalIndent(u.Claims, "", "  ")
		users = append(users, chooserUser{Subject: u.Subject, Name: u.Name(), Email: email, Claims: string(b), Password: u.Password != ""})
	}
	renderHTML(w, http.StatusOK, chooserTmpl, map[string]any{
		"Client": req.client.ID, "Issuer": p.issuer, "RedirectURI": req.redirectURI, "Message": msg,
		"Users": users, "Request": req.raw, "Action": p.endpoint("/authorize/login"),
	})
}

// errorPage shows an error that cannot be sent to a client.
func (p *Provider) errorPage(w http.ResponseWriter, status int, code, desc string) {
	renderHTML(w, status, messageTmpl, map[string]any{"Title": "The request was refused", "Code": code, "Text": desc})
}

// index describes the provider at its issuer URL.
func (p *Provider) index(w http.ResponseWriter, r *http.Request) {
	if !onlyMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	items := []string{"discovery: " + p.endpoint("/.well-known/openid-configuration")}
	for _, u := range p.users {
		items = append(items, "user "+u.Subject+": "+u.Name())
	}
	renderHTML(w, http.StatusOK, messageTmpl, map[string]any{"Title": "oidcgate development OpenID Provider",
		"Text": "Issuer " + p.issuer + ". Keys are generated at start; all state is in memory.", "Items": items})
}

// endSession handles RP-initiated logout: id_token_hint (signed by this
// provider; expiry is not checked) and client_id name the client, whose
// registered post_logout_redirect_uri receives state; without a redirect
// URI a logged-out page is shown. The provider keeps no login session, so
// there is nothing else to end.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	if !onlyMethods(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, http.StatusBadRequest, "invalid_request", "the request could not be parsed")
		return
	}
	for _, k := range []string{"id_token_hint", "post_logout_redirect_uri", "state", "client_id"} {
		if len(r.Form[k]) > 1 {
			p.errorPage(w, http.StatusBadRequest, "invalid_request", k+" is repeated")
			return
		}
	}
	clientID := r.Form.Get("client_id")
	if hint := r.Form.Get("id_token_hint"); hint != "" {
		claims, err := p.verifyOwnToken(hint)
		if err != nil {
			p.errorPage(w, http.StatusBadRequest, "invalid_request", "id_token_hint was not issued by this provider: "+err.Error())
			return
		}
		aud, _ := claims["aud"].(string)
		if clientID != "" && clientID != aud {
			p.errorPage(w, http.StatusBadRequest, "invalid_request", "client_id differs from the id_token_hint's audience")
			return
		}
		clientID = aud
	}
	target := r.Form.Get("post_logout_redirect_uri")
	if target == "" {
		renderHTML(w, http.StatusOK, messageTmpl, map[string]any{"Title": "Logged out",
			"Text": "The development provider keeps no session; the relying party's session is what mattered."})
		return
	}
	c := p.clients[clientID]
	if c == nil {
		p.errorPage(w, http.StatusBadRequest, "invalid_request", "post_logout_redirect_uri needs id_token_hint or client_id to identify the client")
		return
	}
	if !slices.Contains(c.PostLogoutRedirectURIs, target) {
		p.errorPage(w, http.StatusBadRequest, "invalid_request", "post_logout_redirect_uri is not registered for client "+c.ID)
		return
	}
	v := url.Values{}
	if s := r.Form.Get("state"); s != "" {
		v.Set("state", s)
	}
	redirectWith(w, r, target, v)
}
