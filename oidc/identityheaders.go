package oidc

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/oidcgate/oidcgate/internal/h1field"
)

// IdentityHeaders are the request headers a user's identity adds (claims,
// tokens, OIDCAuthNHeader), each under the exact spelling the module gives
// it, sorted by name. One value is shared by every request of the same
// session (or token) and settings, and never changes.
type IdentityHeaders struct {
	names, values []string
	// index maps lower-cased names to their position (Apache's header
	// table is case-insensitive).
	index map[string]int

	wireOnce sync.Once
	wire     []byte // the field lines, in order
	ends     []int  // ends[i]: where line i ends in wire
	wireErr  error
}

// NewIdentityHeaders makes identity headers of names[i]: values[i]
// (names distinct in any case, as the relying party sets them).
func NewIdentityHeaders(names, values []string) *IdentityHeaders {
	return newIdentityHeaders(slices.Clone(names), slices.Clone(values))
}

// newIdentityHeaders sorts names and values (in place: the caller's
// slices become the headers') by name.
func newIdentityHeaders(names, values []string) *IdentityHeaders {
	h := &IdentityHeaders{names: names, values: values, index: make(map[string]int, len(names))}
	sort.Sort(byName{h})
	for i, n := range h.names {
		h.index[strings.ToLower(n)] = i
	}
	return h
}

type byName struct{ h *IdentityHeaders }

func (b byName) Len() int           { return len(b.h.names) }
func (b byName) Less(i, j int) bool { return b.h.names[i] < b.h.names[j] }
func (b byName) Swap(i, j int) {
	b.h.names[i], b.h.names[j] = b.h.names[j], b.h.names[i]
	b.h.values[i], b.h.values[j] = b.h.values[j], b.h.values[i]
}

// Len is the number of headers.
func (h *IdentityHeaders) Len() int { return len(h.names) }

// Name is the i-th header's name; names ascend.
func (h *IdentityHeaders) Name(i int) string { return h.names[i] }

// Value is the i-th header's value.
func (h *IdentityHeaders) Value(i int) string { return h.values[i] }

// Lookup finds a header by name in any case.
func (h *IdentityHeaders) Lookup(name string) (string, bool) {
	i, ok := h.index[strings.ToLower(name)]
	if !ok {
		return "", false
	}
	return h.values[i], true
}

// Has reports whether a header has the lower-cased name lower.
func (h *IdentityHeaders) Has(lower string) bool {
	_, ok := h.index[lower]
	return ok
}

// AddTo sets the headers in hdr, as the relying party sets them without
// Request.DeferHeaders (hdr no longer has them in another spelling).
func (h *IdentityHeaders) AddTo(hdr http.Header) {
	// One backing array; capacity 1 each, so that an append (RequestHeader
	// add) copies rather than overwrites the next header's value.
	vals := make([]string, len(h.values))
	copy(vals, h.values)
	for i, name := range h.names {
		hdr[name] = vals[i : i+1 : i+1]
	}
}

// Wire is the headers as HTTP/1.1 field lines ("Name: value\r\n", the
// value trimmed as (*http.Request).Write trims it), in order — or
// net/http's error for a name or value its client would not send. It is
// computed once: every request of the session writes the same bytes.
func (h *IdentityHeaders) Wire() ([]byte, error) {
	h.wireOnce.Do(func() {
		n := 0
		for i := range h.names {
			n += len(h.names[i]) + len(h.values[i]) + 4
		}
		h.wire, h.ends = make([]byte, 0, n), make([]int, len(h.names))
		for i, k := range h.names {
			if err := h1field.CheckName(k); err != nil {
				h.wireErr = err
				return
			}
			if err := h1field.CheckValue(k, h.values[i]); err != nil {
				h.wireErr = err
				return
			}
			h.wire = h1field.AppendLine(h.wire, k, h.values[i])
			h.ends[i] = len(h.wire)
		}
	})
	return h.wire, h.wireErr
}

// Lines are the field lines of headers i to j-1 (i < j), one slice of
// Wire's; Wire must have succeeded.
func (h *IdentityHeaders) Lines(i, j int) []byte {
	start := 0
	if i > 0 {
		start = h.ends[i-1]
	}
	return h.wire[start:h.ends[j-1]]
}
