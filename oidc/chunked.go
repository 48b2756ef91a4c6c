package oidc

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Chunked cookies (client-cookie sessions): a value too long for one
// cookie is split over <name>_0 … <name>_{n-1}, with <name>_chunks=<n>.
// The rules are current upstream's (oidc_http_set_chunked_cookie,
// oidc_http_get_chunked_cookie): 2.4.12.3 wrote an empty trailing chunk
// for exact multiples, had no limit and assembled partial values.

// maxChunks is the most chunks written or read.
const maxChunks = 99

func chunkCountName(name string) string { return name + "_chunks" }

func chunkName(name string, i int) string { return name + "_" + strconv.Itoa(i) }

// chunkCount parses a <name>_chunks value, for reading and for clearing
// alike: 1..maxChunks as is; 0 for 0 or a value that is not a number;
// -1 for a negative one; maxChunks+1 for anything larger than maxChunks
// (also beyond an int).
func chunkCount(v string) int {
	n, err := strconv.Atoi(v)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		if v[0] == '-' {
			return -1
		}
		return maxChunks + 1
	case err != nil:
		return 0
	case n < 0:
		return -1
	case n > maxChunks:
		return maxChunks + 1
	}
	return n
}

// getChunkedCookie returns the value of cookie name, reassembled from its
// chunks when the request says it was chunked: a count of 0 or one that is
// not a number leaves the plain cookie. Any missing chunk or a chunk count
// out of range means no value at all, never a partial one.
func getChunkedCookie(h http.Header, name string, chunkSize int) (string, bool) {
	if chunkSize <= 0 {
		return getCookie(h, name)
	}
	// One pass over the request's cookies; the first occurrence of each
	// name wins (as getCookie).
	var (
		plain, count       string
		hasPlain, hasCount bool
		parts              [maxChunks]string
		found              [maxChunks]bool
	)
	countName, prefix := chunkCountName(name), name+"_"
	for _, c := range requestCookies(h) {
		switch {
		case c[0] == name:
			if !hasPlain {
				plain, hasPlain = c[1], true
			}
		case c[0] == countName:
			if !hasCount {
				count, hasCount = c[1], true
			}
		case strings.HasPrefix(c[0], prefix):
			i, err := strconv.Atoi(c[0][len(prefix):])
			if err != nil || i < 0 || i >= maxChunks || chunkName(name, i) != c[0] || found[i] {
				continue
			}
			parts[i], found[i] = c[1], true
		}
	}
	n := 0
	if hasCount {
		n = chunkCount(count)
	}
	switch {
	case n == 0:
		return plain, hasPlain
	case n < 0 || n > maxChunks:
		return "", false
	}
	size := 0
	for i := 0; i < n; i++ {
		if !found[i] {
			return "", false
		}
		size += len(parts[i])
	}
	b := make([]byte, 0, size)
	for _, p := range parts[:n] {
		b = append(b, p...)
	}
	return string(b), true
}

// errTooManyChunks: the value would need more than maxChunks cookies.
var errTooManyChunks = errors.New("too many cookie chunks")

// setChunkedCookie sends value as cookie name, in chunks when it is at
// least chunkSize long; an empty value deletes the cookie and its chunks.
// Only the chunks the request presented are deleted (the module's way:
// the browser's cookies are all it knows about).
func (x *exchange) setChunkedCookie(name, value, expires string, chunkSize int, sameSite string) error {
	l := len(value)
	if chunkSize <= 0 || l < chunkSize {
		x.setCookie(cookie{name: name, value: value, expires: expires, sameSite: sameSite})
		x.clearChunks(name, expires, sameSite)
		return nil
	}
	n := (l + chunkSize - 1) / chunkSize
	if n > maxChunks {
		return fmt.Errorf("%w: cookie %q would need %d chunks of %d bytes (at most %d); raise OIDCSessionCookieChunkSize or use OIDCSessionType server-cache",
			errTooManyChunks, name, n, chunkSize, maxChunks)
	}
	for i := 0; i < n; i++ {
		end := (i + 1) * chunkSize
		if end > l {
			end = l
		}
		x.setCookie(cookie{name: chunkName(name, i), value: value[i*chunkSize : end], expires: expires, sameSite: sameSite})
	}
	x.setCookie(cookie{name: chunkCountName(name), value: strconv.Itoa(n), expires: expires, sameSite: sameSite})
	x.setCookie(cookie{name: name, expires: expires, sameSite: sameSite})
	return nil
}

// clearChunks deletes the chunks of cookie name the request presented.
// A count beyond maxChunks deletes the first maxChunks (upstream would
// send one deletion per claimed chunk, however many).
func (x *exchange) clearChunks(name, expires, sameSite string) {
	v, ok := getCookie(x.r.Header, chunkCountName(name))
	if !ok {
		return
	}
	n := chunkCount(v)
	if n <= 0 {
		return
	}
	if n > maxChunks {
		n = maxChunks
	}
	for i := 0; i < n; i++ {
		x.setCookie(cookie{name: chunkName(name, i), expires: expires, sameSite: sameSite})
	}
	x.setCookie(cookie{name: chunkCountName(name), expires: expires, sameSite: sameSite})
}
