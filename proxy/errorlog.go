package proxy

import (
	"log/slog"
	"net/http"

	"github.com/oidcgate/oidcgate/internal/errorlog"
)

// logFor is the error log for lines about request r: the virtual host's
// ErrorLog and Apache's "[client ip:port]". Lines logged with s.log go to
// the main server's log without the client (handler.go still logs that
// way; switching its s.log.Error calls to s.logFor(r).Error gives Apache's
// routing).
func (s *Site) logFor(r *http.Request) *slog.Logger {
	l := s.log
	if st, ok := r.Context().Value(reqStateKey{}).(*reqState); ok && st.srv != nil {
		l = l.With(errorlog.Server(st.srv))
	}
	if r.RemoteAddr != "" {
		l = l.With(errorlog.Client(r.RemoteAddr))
	}
	return l
}
