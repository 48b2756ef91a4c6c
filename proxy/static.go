package proxy

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// localFile maps a URI to a file under DocumentRoot (the main server's
// when the vhost has none, else Debian's compiled-in one). A trailing
// slash is kept: "/a.txt/" names no file, as in Apache.
func localFile(srv *apacheconf.Server, uri string) string {
	root := apacheconf.DefaultDocumentRoot
	if srv.Core != nil && srv.Core.DocumentRoot != "" {
		root = srv.Core.DocumentRoot
	}
	p := filepath.Join(root, filepath.FromSlash(uri))
	if strings.HasSuffix(uri, "/") && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// serveLocal serves a file (under DocumentRoot or an Alias target) as
// Apache's default handler with mod_dir: a directory without a trailing
// slash is redirected (301) to one with it (the URL path, escaped), a
// directory serves its DirectoryIndex file, a directory without one is 404
// (no listings), a missing file is 404. Conditional and range requests are
// answered by net/http's ServeContent with Apache's ETag ("size-mtime" in
// hex, microseconds). index maps an index URI to its file as mod_dir's
// sub-request does, or reports it denied (nil: the name under filename).
func (s *Site) serveLocal(w http.ResponseWriter, r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig, uri, filename string, index func(string) (string, bool)) {
	if st := stateOf(r); st != nil && st.errDoc != nil {
		st.errDoc.local = true // an ErrorDocument file keeps the error status
	}
	st, err := os.Stat(filename)
	if err != nil {
		if defaultHandlerCheck(w, r) || s.defaultHandlerMethod(w, r, dir) {
			return
		}
		s.writeError(w, r, dir, http.StatusNotFound, "")
		return
	}
	if !st.IsDir() && (defaultHandlerCheck(w, r) || s.defaultHandlerMethod(w, r, dir)) {
		return
	}
	if st.IsDir() {
		// Without mod_dir nothing answers for a directory: 404, as Apache
		// measured with the seed-004 config.
		if !s.modDir {
			if s.defaultHandlerMethod(w, r, dir) {
				return
			}
			s.writeError(w, r, dir, http.StatusNotFound, "")
			return
		}
		if !strings.HasSuffix(uri, "/") {
			if dir.Core == nil || dir.Core.DirectorySlash == nil || *dir.Core.DirectorySlash {
				s.writeRedirect(w, r, http.StatusMovedPermanently, slashURL(r, uri))
				return
			}
			s.writeError(w, r, dir, http.StatusNotFound, "")
			return
		}
		// mod_dir serves an index for GET and POST only; the default
		// handler answers the other methods.
		if s.defaultHandlerMethod(w, r, dir) {
			return
		}
		names := []string{"index.html"}
		if dir.Core != nil && dir.Core.DirectoryIndex != nil {
			names = dir.Core.DirectoryIndex
		}
		found, denied := "", false
		for _, name := range names {
			if name == "disabled" {
				break
			}
			// mod_dir looks an index up as a sub-request for the URL
			// path: the directory's plus the name, or the name itself
			// when it is a URL path of its own ("/index.php").
			iuri := uri + name
			if strings.HasPrefix(name, "/") {
				iuri = name
			}
			p := filepath.Join(filename, name)
			if index != nil {
				var no bool
				if p, no = index(iuri); no {
					denied = true
					continue
				}
			} else if strings.HasPrefix(name, "/") {
				continue // no mapping to look the URL path up with
			}
			fi, err := os.Stat(p)
			if p != "" && err == nil && !fi.IsDir() {
				found = p
				if st := stateOf(r); st != nil && !st.inErrorDoc {
					st.logURI = iuri
					// mod_dir's internal redirect: r->uri and r->filename
					// are the index file's.
					st.setURI(iuri)
					st.filename, st.pathInfo = p, ""
				}
				break
			}
			if p != "" && err == nil && !strings.HasSuffix(iuri, "/") && (dir.Core == nil || dir.Core.DirectorySlash == nil || *dir.Core.DirectorySlash) {
				// The index URI names a directory: mod_dir's sub-request
				// answers with its slash redirect, which Apache passes on
				// (a <Location> Alias without AliasPreservePath does this).
				s.writeRedirect(w, r, http.StatusMovedPermanently, slashURL(r, iuri))
				return
			}
		}
		if found == "" && denied {
			// mod_dir: no index served, one refused by access control.
			s.writeError(w, r, dir, http.StatusForbidden, "")
			return
		}
		if found == "" {
			if defaultHandlerCheck(w, r) {
				return
			}
			s.writeError(w, r, dir, http.StatusNotFound, "")
			return
		}
		filename = found
		if st, err = os.Stat(filename); err != nil {
			s.writeError(w, r, dir, http.StatusNotFound, "")
			return
		}
	}
	f, err := os.Open(filename)
	if err != nil {
		s.writeError(w, r, dir, http.StatusForbidden, "")
		return
	}
	defer f.Close()
	h := w.Header()
	if s.cfg.Modules.Has("mime_module") {
		if ct := mime.TypeByExtension(filepath.Ext(filename)); ct != "" {
			ct, _, _ = strings.Cut(ct, ";") // Apache adds no charset unless AddDefaultCharset
			h.Set("Content-Type", strings.TrimSpace(ct))
		}
	}
	if h.Get("Content-Type") == "" {
		h["Content-Type"] = nil // no sniffing: Apache sends none without a type
	}
	etag := fmt.Sprintf("\"%x-%x\"", st.Size(), st.ModTime().UnixMicro())
	if s.now().Sub(st.ModTime()) < time.Second {
		// Apache's ap_make_etag: a file changed within the last second
		// may change again unseen, so its ETag is weak.
		etag = "W/" + etag
	}
	h.Set("ETag", etag)
	h.Set("Accept-Ranges", "bytes")
	lm := st.ModTime().UTC().Format(http.TimeFormat)
	if st := stateOf(r); st != nil && st.errDoc != nil && st.errDoc.local {
		// An ErrorDocument keeps the error status: Apache applies neither
		// ranges (byterange filter: 200 only) nor conditions
		// (ap_meets_conditions: 2xx only) to it.
		r = r.Clone(r.Context())
		for _, h := range []string{"Range", "If-Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
			r.Header.Del(h)
		}
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		// Apache (ap_meets_conditions) ignores a date after the request's
		// time; net/http would answer 304.
		if t, err := http.ParseTime(ims); err == nil && t.After(s.now()) {
			r = r.Clone(r.Context())
			r.Header.Del("If-Modified-Since")
		}
	}
	http.ServeContent(&keepLastModified{ResponseWriter: w, lastModified: lm}, r, "", st.ModTime(), f)
}

// keepLastModified puts Last-Modified back on a 304, which Apache sends
// and net/http leaves out when there is an ETag.
type keepLastModified struct {
	http.ResponseWriter
	lastModified string
}

func (k *keepLastModified) WriteHeader(code int) {
	if code == http.StatusNotModified {
		k.Header().Set("Last-Modified", k.lastModified)
	}
	k.ResponseWriter.WriteHeader(code)
}

// slashURL is mod_dir's redirect target for a directory URI without its
// trailing slash: the escaped URI plus "/" and the query, made absolute
// with the request's scheme and Host.
func slashURL(r *http.Request, uri string) string {
	target := selfURL(r, escapeURI(uri)+"/")
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	return target
}
