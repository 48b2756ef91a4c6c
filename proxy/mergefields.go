package proxy

import (
	"net/http"
	"strings"
)

// mergeFields joins the values of a header field the client sent more
// than once into one value, ", "-separated, as Apache's core does when it
// reads a request (its header table is compressed with merging): logs,
// expressions, RequestHeader and the backend then see one field "a, b"
// where the client sent "X: a" and "X: b". (Go's HTTP/2 server has
// already joined cookie fields with "; ", as mod_http2 does.)
func mergeFields(h http.Header) {
	for k, v := range h {
		if len(v) > 1 {
			h[k] = []string{strings.Join(v, ", ")}
		}
	}
}
