package proxy

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// TestConnLogItems: %X and %k from the response's keep-alive decision,
// the connection's request count and a failed write (the differential
// test, compat-tests TestLogConnectionDifferential, cannot abort a write
// or speak HTTP/2 to both).
func TestConnLogItems(t *testing.T) {
	count := func(n int64) *atomic.Int64 { c := new(atomic.Int64); c.Store(n); return c }
	r1 := &http.Request{ProtoMajor: 1, ProtoMinor: 1}
	r2 := &http.Request{ProtoMajor: 2}
	for _, tc := range []struct {
		name string
		rec  *logRecord
		x, k string
	}{
		{"no writer", &logRecord{r: r1}, "-", "0"},
		{"HTTP/2 stream", &logRecord{r: r2, conn: &statusWriter{}}, "+", "0"},
		{"first request, kept", &logRecord{r: r1, conn: &statusWriter{ka: &keepAlive{done: true, keep: true, requests: count(1)}}}, "+", "0"},
		{"third request, kept", &logRecord{r: r1, conn: &statusWriter{ka: &keepAlive{done: true, keep: true, requests: count(3)}}}, "+", "2"},
		{"fourth request, closing", &logRecord{r: r1, conn: &statusWriter{ka: &keepAlive{done: true, requests: count(4)}}}, "-", "2"},
		{"single request, closing", &logRecord{r: r1, conn: &statusWriter{ka: &keepAlive{done: true, requests: count(1)}}}, "-", "0"},
		{"head never written", &logRecord{r: r1, conn: &statusWriter{ka: &keepAlive{keep: true, requests: count(2)}}}, "-", "0"},
		{"write failed", &logRecord{r: r1, conn: &statusWriter{aborted: true, ka: &keepAlive{done: true, keep: true, requests: count(2)}}}, "X", "1"},
	} {
		if got := connStatus(tc.rec); got != tc.x {
			t.Errorf("%s: %%X = %q, want %q", tc.name, got, tc.x)
		}
		if got := logValue(apacheconf.LogItem{Directive: "k"}, tc.rec); got != tc.k {
			t.Errorf("%s: %%k = %q, want %q", tc.name, got, tc.k)
		}
	}
}
