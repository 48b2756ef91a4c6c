package proxy

import (
	"net/http"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// headerWriter applies the Header directives (mod_headers' output
// filters) when the response headers are sent. Measured on Apache 2.4.71:
//   - a response the handler produced (any status the backend answered,
//     204 and 304 included, a static file, the module's content) gets
//     the onsuccess table, which edits the response headers (so it can
//     unset a backend header), and the always table;
//   - a response Apache generated itself (403, 401, 404, 503 backend
//     down, redirects, ErrorDocument) gets only the always table;
//   - the always table is a table of its own (err_headers_out): it cannot
//     remove a backend header, and a name set in both tables is sent
//     twice, the always value first.
//   - a request header read by a Header expr= condition (not Host, not
//     req_novary) is added to Vary, on generated responses too, and Vary
//     — the backend's too — is sent de-duplicated, joined with ","
//     (fixup_vary: "Accept-Encoding, Cookie" goes out as
//     "Accept-Encoding,Cookie").
type headerWriter struct {
	http.ResponseWriter
	// ops are the merged configuration's header operations; nil before
	// the section walk.
	ops *apacheconf.HeadersDir
	ctx headerCtx
	// success: the handler is answering (as opposed to an error document
	// or a redirect the server generates).
	success bool
	done    bool
}

// markGenerated records that the server, not the handler, is answering:
// only Header always applies.
func markGenerated(w http.ResponseWriter) {
	for {
		switch x := w.(type) {
		case *headerWriter:
			x.success = false
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return
		}
	}
}

func (w *headerWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.apply()
	w.ResponseWriter.WriteHeader(code)
}

func (w *headerWriter) Write(p []byte) (int, error) {
	w.apply()
	return w.ResponseWriter.Write(p)
}

func (w *headerWriter) Flush() {
	w.apply()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *headerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *headerWriter) apply() {
	if w.done {
		return
	}
	w.done = true
	h := w.ResponseWriter.Header()
	if w.ops == nil || len(w.ops.Response) == 0 {
		if len(h["Vary"]) > 0 {
			mergeVary(h, nil)
		}
		return
	}
	var vary []string
	c := w.ctx
	c.vary = &vary
	if c.vars != nil {
		c.vars = respVars{Vars: c.vars, resp: h}
	}
	var onsuccess, always []*apacheconf.HeaderOp
	for _, op := range w.ops.Response {
		if op.Always {
			always = append(always, op)
		} else {
			onsuccess = append(onsuccess, op)
		}
	}
	if w.success {
		applyHeaderOps(h, onsuccess, c)
	}
	if len(always) > 0 {
		errT := http.Header{}
		applyHeaderOps(errT, always, c)
		for k, vs := range errT {
			key := keyFold(h, k)
			h[key] = append(append([]string(nil), vs...), h[key]...)
		}
	}
	if len(vary) > 0 || len(h["Vary"]) > 0 {
		mergeVary(h, vary)
	}
}

// mergeVary adds names to Vary and sends it as Apache's fixup_vary does:
// every token once (case-insensitively, first spelling kept), joined
// with ",".
func mergeVary(h http.Header, names []string) {
	var toks []string
	seen := map[string]bool{}
	add := func(t string) {
		t = strings.TrimSpace(t)
		if t == "" || seen[strings.ToLower(t)] {
			return
		}
		seen[strings.ToLower(t)] = true
		toks = append(toks, t)
	}
	key := keyFold(h, "Vary")
	for _, v := range h[key] {
		for _, t := range strings.Split(v, ",") {
			add(t)
		}
	}
	for _, n := range names {
		add(n)
	}
	delFold(h, "Vary")
	h["Vary"] = []string{strings.Join(toks, ",")}
}

// respVars answers resp('X') / %{resp:X} from the response headers being
// built.
type respVars struct {
	expr.Vars
	resp http.Header
}

func (v respVars) ResponseHeader(name string) string { return getFold(v.resp, name) }
