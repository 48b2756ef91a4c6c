package proxy

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/oidc"
)

// The identity headers of an authenticated request (claims, tokens,
// OIDCAuthNHeader: ~30 for a user with rich claims) are the same for every
// request of a session. Rather than adding them to each request's header
// map, which ReverseProxy then copies and the writer sorts and checks
// again, they stay in one shared, sorted oidc.IdentityHeaders that the
// request state points to, and writeRequest merges them into the header
// block it sends. Everything that reads request headers after
// authentication sees them there (requestHeaderValues); wherever a request
// leaves that path (RequestHeader edits, another transport, an
// ErrorDocument's request) they are added to the map first.

// deferIdentity reports whether the identity headers of a request under
// dir may stay out of its header map: no RequestHeader operation of the
// sections edits the request's headers after authentication.
func deferIdentity(dir *apacheconf.DirConfig) bool {
	if dir.Headers == nil {
		return true
	}
	for _, op := range dir.Headers.Request {
		if !op.Early {
			return false
		}
	}
	return true
}

// forwardingHeaders are the request headers (lower-cased) that forwarding
// reads, adds to or removes: an identity header of such a name goes into
// the header map, where that handling sees it.
var forwardingHeaders = []string{"host", "user-agent", "content-length", "transfer-encoding", "trailer",
	"connection", "proxy-connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "upgrade",
	"x-forwarded-for", "x-forwarded-host", "x-forwarded-server", "x-forwarded-proto", "forwarded", "via",
	"cookie", "expect"}

// keepIdentity takes the identity headers the relying party left out of
// r's header map (oidc.Request.DeferHeaders): into the request state, or
// into the map when they cannot stay out of it.
func keepIdentity(r *http.Request, h *oidc.IdentityHeaders) {
	if h == nil {
		return
	}
	st := stateOf(r)
	special := false
	for _, n := range forwardingHeaders {
		if h.Has(n) {
			special = true
			break
		}
	}
	if st == nil || special || connectionNames(r.Header, h) {
		h.AddTo(r.Header)
		return
	}
	st.identity = h
}

// connectionNames reports whether the Connection header of hdr names one
// of the identity headers (any case): forwarding removes those
// (clearConnection), so they go into the map.
func connectionNames(hdr http.Header, h *oidc.IdentityHeaders) bool {
	for _, v := range hdr["Connection"] {
		for tok := range strings.SplitSeq(v, ",") {
			if tok = textproto.TrimString(tok); tok != "" && h.Has(strings.ToLower(tok)) {
				return true
			}
		}
	}
	return false
}

// clearConnection removes from out, the header of the request sent to the
// backend, the fields that in's Connection header names and that
// ReverseProxy left because they are not spelled canonically (it deletes
// only the canonical spelling): identity headers keep the module's
// spelling (OIDC_CLAIM_email), and Apache's ap_proxy_clear_connection
// removes every field named, case-insensitively. Canonical names are
// ReverseProxy's, including those it adds back (Connection and Upgrade
// for an upgrade, Te: trailers).
func clearConnection(out, in http.Header) {
	for _, v := range in["Connection"] {
		for tok := range strings.SplitSeq(v, ",") {
			tok = textproto.TrimString(tok)
			if tok == "" || strings.EqualFold(tok, "keep-alive") || strings.EqualFold(tok, "close") {
				continue
			}
			for k := range out {
				if strings.EqualFold(k, tok) && k != http.CanonicalHeaderKey(k) {
					delete(out, k)
				}
			}
		}
	}
}

// identityOf is the identity headers that are not in r's header map.
func identityOf(r *http.Request) *oidc.IdentityHeaders {
	if st := stateOf(r); st != nil {
		return st.identity
	}
	return nil
}

// requestHeaderValues is a request header as Apache's case-insensitive
// header table has it: an identity header, else the values under the
// canonical spelling, else those under any other spelling.
func requestHeaderValues(r *http.Request, name string) []string {
	if id := identityOf(r); id != nil {
		if v, ok := id.Lookup(name); ok {
			return []string{v}
		}
	}
	if vv := r.Header.Values(name); len(vv) > 0 {
		return vv
	}
	var vv []string
	for k, v := range r.Header {
		if strings.EqualFold(k, name) {
			vv = append(vv, v...)
		}
	}
	return vv
}
