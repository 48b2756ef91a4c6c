package proxy

import (
	"net/http"
	"regexp"
	"slices"
)

// echoHeaders is mod_headers' "Header echo": every request header whose
// name matches re (case-sensitively, as ap_regexec matches the name in
// Apache's headers_in) is added to the response headers h, under its own
// name. Apache's headers_in holds Host and, after authentication, the
// identity headers mod_auth_openidc set — those kept out of r's header
// map (identityhdr.go) included.
func echoHeaders(h http.Header, re *regexp.Regexp, r *http.Request) {
	if re == nil {
		return
	}
	if r.Host != "" && re.MatchString("Host") {
		h["Host"] = append(h["Host"], r.Host)
	}
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		if re.MatchString(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		h[k] = append(h[k], r.Header[k]...)
	}
	if id := identityOf(r); id != nil {
		for i := 0; i < id.Len(); i++ {
			if n := id.Name(i); re.MatchString(n) {
				h[n] = append(h[n], id.Value(i))
			}
		}
	}
}
