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
// when the vhost has none), or "" when there is no DocumentRoot.
func localFile(srv *apacheconf.Server, uri string) string {
	if srv.Core == nil || srv.Core.DocumentRoot == "" {
		return ""
	}
	return filepath.Join(srv.Core.DocumentRoot, filepath.FromSlash(uri))
}

// serveLocal serves a file from DocumentRoot as Apache's default handler
// with mod_dir: a directory without a trailing slash is redirected (301)
// to one with it, a directory serves its DirectoryIndex file, a directory
// without one is 404 (no listings), a missing file is 404. Conditional
// and range requests are answered by net/http's ServeContent with Apache's
// ETag ("size-mtime" in hex, microseconds).
func (s *Site) serveLocal(w http.ResponseWriter, r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig, uri, filename string) {
	if st := stateOf(r); st != nil && st.errDoc != nil {
		st.errDoc.local = true // an ErrorDocument file keeps the error status
	}
	st, err := os.Stat(filename)
	if err != nil {
		if defaultHandlerCheck(w, r) {
			return
		}
		s.writeError(w, r, dir, http.StatusNotFound, "")
		return
	}
	if !st.IsDir() && defaultHandlerCheck(w, r) {
		return
	}
	if st.IsDir() {
		// Without mod_dir nothing answers for a directory: 404, as Apache
		// measured with the seed-004 config.
		if !s.modDir {
			s.writeError(w, r, dir, http.StatusNotFound, "")
			return
		}
		if !strings.HasSuffix(uri, "/") {
			if dir.Core == nil || dir.Core.DirectorySlash == nil || *dir.Core.DirectorySlash {
				target := selfURL(r, uri+"/")
				if r.URL.RawQuery != "" {
					target += "?" + r.URL.RawQuery
				}
				s.writeRedirect(w, r, http.StatusMovedPermanently, target)
				return
			}
			s.writeError(w, r, dir, http.StatusNotFound, "")
			return
		}
		index := []string{"index.html"}
		if dir.Core != nil && dir.Core.DirectoryIndex != nil {
			index = dir.Core.DirectoryIndex
		}
		found := ""
		for _, name := range index {
			if name == "disabled" {
				break
			}
			p := filepath.Join(filename, name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				found = p
				break
			}
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
