// Package claims holds what mod_auth_openidc does with the claims of an
// authenticated user once they are known: it renders them as the request
// headers and environment variables the backend sees, decides the
// "Require claim" and "Require claims_expr" authorization words, derives the
// remote user (OIDCRemoteUserClaim) and recognises the incoming headers that
// must be scrubbed because they would spoof one of those identity headers.
//
// The reference behaviour is mod_auth_openidc 2.4.12.3 as shipped by Debian 12
// (built with jansson 2.14, PCRE2 and APR 1.7, without libjq). Every rule in
// this package names the 2.4.12.3 function it reproduces, so that a
// difference found at runtime can be traced back to its source.
//
// The package knows nothing of Apache configuration syntax or of net/http
// handlers: callers hand it the claims JSON and already-split directive
// arguments and get back plain strings and decisions. It keeps no global
// mutable state; compiled rules are immutable and safe for concurrent use.
//
// # JSON model
//
// [Parse] reads a claims object the way jansson's json_loads(str, 0) does in
// 2.4.12.3 (object key order kept, duplicate keys: the last value wins but
// keeps the position of the first occurrence, integers must fit in int64,
// "\u0000" is refused, input ends at a NUL byte). Numbers keep their source
// text; [Claims.JSON] writes them back unchanged.
//
// # Deliberate extension
//
// "Require claims_expr" needs libjq, which Debian's 2.4.12.3 package is built
// without, so Apache refuses the provider there. oidcgate implements it with
// github.com/itchyny/gojq; see [CompileClaimsExpr].
package claims
