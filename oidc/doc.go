// Package oidc is oidcgate's OpenID Connect relying party: it logs browser
// users in the way mod_auth_openidc 2.4.12.3 does (same redirects, same
// cookies, same errors) and hands the caller what the backend must see.
//
// It knows nothing of Apache syntax. The caller (package proxy) compiles a
// Settings per virtual host and a DirSettings per request from the Apache
// configuration, and calls [RelyingParty.Authenticate] for requests whose
// AuthType is openid-connect. Provider metadata comes from discovery or from
// static endpoints; tokens are exchanged with golang.org/x/oauth2 and
// verified with github.com/coreos/go-oidc; sessions and nonces live in a
// [Store] (package cache satisfies it).
package oidc
