package oidc

import (
	"io"
	"net/http"
	"net/url"
	"strings"
)

// OIDCPreservePost: a form POST that must log in first is kept in the
// browser's sessionStorage while the user visits the provider, and
// re-POSTed to the original URL after the callback — the module's two
// pages, byte for byte.

const preserveKey = "mod_auth_openidc_preserve_post_params"

// preservedForm reads a urlencoded POST body in order, for the
// "Preserving..." page; ok is false when the request is not one to
// preserve.
func preservedForm(r *http.Request, dir *DirSettings) (params []param, ok bool) {
	if !dir.PreservePost || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, false
	}
	// oidc_util_read_form_encoded_params: '+' is a space, a bad %-escape
	// stays as written, a repeated name keeps its first place and its
	// last value (apr_table_set).
	unescape := func(s string) string {
		if u, err := url.QueryUnescape(s); err == nil {
			return u
		}
		return strings.ReplaceAll(s, "+", " ")
	}
	for _, kv := range strings.Split(string(body), "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, v = unescape(k), unescape(v)
		replaced := false
		for i := range params {
			if params[i].name == k {
				params[i].value, replaced = v, true
				break
			}
		}
		if !replaced {
			params = append(params, param{k, v})
		}
	}
	return params, true
}

// preservePage stores the form in sessionStorage and goes on to location.
func (rp *RelyingParty) preservePage(x *exchange, params []param, location string) Result {
	var js strings.Builder
	js.WriteString("{ ")
	for i, p := range params {
		js.WriteString("'" + escape(p.name) + "': '" + escape(p.value) + "'")
		if i < len(params)-1 {
			js.WriteString(",")
		}
	}
	js.WriteString(" }")
	if rp.s.PreserveTemplate != "" {
		// Upstream's OIDCPreservePostTemplates: the data as is, the URL
		// JavaScript-escaped.
		return rp.send(x, []byte(fillTemplate(rp.s.PreserveTemplate, js.String(), jsEscape(location))), "text/html", http.StatusOK)
	}
	script := "    <script type=\"text/javascript\">\n" +
		"      function preserveOnLoad() {\n" +
		"        sessionStorage.setItem('" + preserveKey + "', JSON.stringify(" + js.String() + "));\n" +
		"        window.location='" + jsEscape(location) + "';\n" +
		"      }\n" +
		"    </script>\n"
	return rp.sendHTMLOnLoad(x, "Preserving...", script, "preserveOnLoad", "<p>Preserving...</p>", http.StatusOK)
}

// restorePage re-POSTs the preserved form to the original URL.
func (rp *RelyingParty) restorePage(x *exchange, originalURL string) Result {
	if rp.s.RestoreTemplate != "" {
		return rp.send(x, []byte(fillTemplate(rp.s.RestoreTemplate, jsEscape(originalURL))), "text/html", http.StatusOK)
	}
	script := "    <script type=\"text/javascript\">\n" +
		"      function str_decode(string) {\n" +
		"        try {\n" +
		"          result = decodeURIComponent(string);\n" +
		"        } catch (e) {\n" +
		"          result =  unescape(string);\n" +
		"        }\n" +
		"        return result;\n" +
		"      }\n" +
		"      function postOnLoad() {\n" +
		"        var " + preserveKey + " = JSON.parse(sessionStorage.getItem('" + preserveKey + "'));\n" +
		"\t\t sessionStorage.removeItem('" + preserveKey + "');\n" +
		"        for (var key in " + preserveKey + ") {\n" +
		"          var input = document.createElement(\"input\");\n" +
		"          input.name = str_decode(key);\n" +
		"          input.value = str_decode(" + preserveKey + "[key]);\n" +
		"          input.type = \"hidden\";\n" +
		"          document.forms[0].appendChild(input);\n" +
		"        }\n" +
		"        document.forms[0].action = \"" + jsEscape(originalURL) + "\";\n" +
		"        document.forms[0].submit();\n" +
		"      }\n" +
		"    </script>\n"
	body := "    <p>Restoring...</p>\n    <form method=\"post\"></form>\n"
	return rp.sendHTMLOnLoad(x, "Restoring...", script, "postOnLoad", body, http.StatusOK)
}

// jsEscape escapes for a JavaScript string literal as
// oidc_util_javascript_escape does.
func jsEscape(s string) string {
	return jsEscaper.Replace(s)
}

var jsEscaper = strings.NewReplacer(`'`, `\'`, `"`, `\"`, `\`, `\\`, `/`, `\/`, "\r", `\r`, "\n", `\n`, "<", `\x3c`, ">", `\x3e`)
