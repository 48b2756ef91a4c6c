package oidc

import (
	"maps"
	"net/http"
	"strings"
	"sync"

	"github.com/oidcgate/oidcgate/oidc/claims"
)

// reserveHeaders makes room for n more request headers: the header map
// (replaced by a copy of the right size) and setHeader's name index grow
// once, not one rehash after another as each identity value is set.
func (x *exchange) reserveHeaders(n int) {
	h := x.r.Header
	if x.hdrIdx == nil {
		x.hdrIdx = x.indexes.get(len(h) + n)
		for k := range h {
			x.hdrIdx[strings.ToLower(k)] = k
		}
	}
	nh := make(http.Header, len(h)+n)
	maps.Copy(nh, h)
	x.r.Header = nh
	x.vals = make([]string, 0, n)
}

// oneValue is a header value slice holding v, taken from the room
// reserveHeaders made when some is left. Its capacity is 1: a later
// append (RequestHeader add) copies it rather than overwrite the next
// header's value.
func (x *exchange) oneValue(v string) []string {
	if len(x.vals) == cap(x.vals) {
		return []string{v}
	}
	i := len(x.vals)
	x.vals = append(x.vals, v)
	return x.vals[i : i+1 : i+1]
}

// lowerNames is the lower-cased form of every header name passIdentity
// may set from v, built once per decoded session.
func (v *sessionView) lowerNames() map[string]string {
	v.lowerOnce.Do(func() {
		m := make(map[string]string, len(v.uiPairs)+len(v.idPairs)+len(fixedIdentityNames))
		for _, ps := range [][]claims.Pair{v.uiPairs, v.idPairs} {
			for _, p := range ps {
				m[p.Name] = strings.ToLower(p.Name)
			}
		}
		for _, n := range fixedIdentityNames {
			m[n] = strings.ToLower(n)
		}
		v.lower = m
	})
	return v.lower
}

// fixedIdentityNames are the identity values passIdentity sets under fixed
// names.
var fixedIdentityNames = []string{"OIDC_userinfo_json", "OIDC_userinfo_jwt", "OIDC_id_token_payload", "OIDC_id_token",
	"OIDC_refresh_token", "OIDC_access_token", "OIDC_access_token_expires"}

// headerIndexes recycles setHeader's name index between requests (it is
// only read while the exchange runs): an index sized for ~40 identity
// headers is several allocations. A nil pool allocates.
type headerIndexes struct{ p sync.Pool }

// maxPooledIndex bounds what a pooled index may hold: one request with
// very many headers does not pin a big map.
const maxPooledIndex = 256

func (hi *headerIndexes) get(n int) map[string]string {
	if hi != nil {
		if m, ok := hi.p.Get().(map[string]string); ok {
			return m
		}
	}
	return make(map[string]string, n)
}

// releaseIndex gives the exchange's name index back, emptied.
func (x *exchange) releaseIndex() {
	m := x.hdrIdx
	x.hdrIdx = nil
	if m == nil || x.indexes == nil || len(m) > maxPooledIndex {
		return
	}
	clear(m)
	x.indexes.p.Put(m)
}
