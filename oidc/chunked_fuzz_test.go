package oidc

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// FuzzChunkedCookie: any Cookie header and chunk size read without
// panicking; a value is only returned when the count is in range and
// every chunk it names is present, and it is then exactly their
// concatenation. Also: whatever setChunkedCookie writes reads back.
func FuzzChunkedCookie(f *testing.F) {
	const n = "s"
	for _, c := range []struct {
		hdr  string
		size int
	}{
		{"s=abc", 4000}, {"s_chunks=2; s_0=ab; s_1=cd", 2}, {"s_chunks=3; s_0=ab; s_2=cd", 2},
		{"s_chunks=0; s=x", 2}, {"s_chunks=-1; s_0=a", 2}, {"s_chunks=100; s_0=a", 2},
		{"s_chunks=99999999999999999999; s_0=a", 2}, {"s_chunks=+1; s_0=a", 2}, {"s_chunks=1x; s=y", 2},
		{"s_chunks=2; s_0=a; s_01=b; s_1=c; s_0=z", 1}, {"s_chunks=1; s_0=", 0}, {"s_chunks=1; s_0=", -5},
	} {
		f.Add(c.hdr, c.size, "value")
	}
	f.Fuzz(func(t *testing.T, hdr string, size int, value string) {
		h := http.Header{"Cookie": {hdr}}
		v, ok := getChunkedCookie(h, n, size)
		if ok {
			cnt, _ := getCookie(h, n+"_chunks")
			k, err := strconv.Atoi(cnt)
			if size > 0 && err == nil && k > 0 {
				if k > maxChunks {
					t.Fatalf("count %d accepted", k)
				}
				var want strings.Builder
				for i := 0; i < k; i++ {
					c, present := getCookie(h, chunkName(n, i))
					if !present {
						t.Fatalf("value %q returned with chunk %d missing from %q", v, i, hdr)
					}
					want.WriteString(c)
				}
				if want.String() != v {
					t.Fatalf("value %q, chunks say %q", v, want.String())
				}
			} else if plain, present := getCookie(h, n); !present || plain != v {
				t.Fatalf("plain value %q, cookie %q (%v)", v, plain, present)
			}
		}

		// Round trip through the writer (cookie values cannot hold ";"
		// or leading spaces; the sealed values never do).
		if size < 1 || size > 1<<16 || value == "" || strings.ContainsAny(value, "; ,\"\\") {
			return
		}
		x := &exchange{r: &http.Request{Header: http.Header{}}, cw: cookieWriter{path: "/"}}
		if err := x.setChunkedCookie(n, value, "", size, ""); err != nil {
			if (len(value)+size-1)/size <= maxChunks {
				t.Fatalf("refused %d bytes in chunks of %d: %v", len(value), size, err)
			}
			return
		}
		var parts []string
		for _, line := range x.res.Header.Values("Set-Cookie") {
			nv, _, _ := strings.Cut(line, ";")
			if name, val, _ := strings.Cut(nv, "="); val != "" {
				parts = append(parts, name+"="+val)
			}
		}
		back, ok := getChunkedCookie(http.Header{"Cookie": {strings.Join(parts, "; ")}}, n, size)
		if !ok || back != value {
			t.Fatalf("round trip of %q (size %d): %q %v", value, size, back, ok)
		}
	})
}

// TestChunkCount: the one chunk-count parser, as reading (0: the plain
// cookie; <0 or >maxChunks: no value) and clearing (<=0: nothing;
// >maxChunks: the first maxChunks) use it.
func TestChunkCount(t *testing.T) {
	for v, want := range map[string]int{
		"1": 1, "+2": 2, "99": 99, "0": 0, "": 0, "x": 0, "1x": 0, " 1": 0,
		"-1": -1, "-99999999999999999999": -1,
		"100": maxChunks + 1, "99999999999999999999": maxChunks + 1, "+99999999999999999999": maxChunks + 1,
	} {
		if got := chunkCount(v); got != want {
			t.Errorf("chunkCount(%q) = %d, want %d", v, got, want)
		}
	}
	// clearing a huge count deletes maxChunks chunks and the count
	x := &exchange{r: &http.Request{Header: http.Header{"Cookie": {"s_chunks=99999999999999999999"}}}, cw: cookieWriter{path: "/"}}
	x.clearChunks("s", "", "")
	if n := len(x.res.Header.Values("Set-Cookie")); n != maxChunks+1 {
		t.Errorf("clearing a huge count sent %d cookies, want %d", n, maxChunks+1)
	}
}
