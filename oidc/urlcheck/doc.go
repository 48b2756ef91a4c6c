// Package urlcheck validates redirect targets that arrive in a request and
// reconstructs the URL of the current request, the way mod_auth_openidc does.
//
// Three kinds of request input name a URL the relying party later redirects
// the browser to: the logout target (?logout=), the target_link_uri of a
// third-party-initiated login and the return_to of a refresh request.
// [ValidateRedirect] decides whether such a target may be used. It follows
// mod_auth_openidc's oidc_validate_redirect_url step by step (same checks, same
// order, same error titles) and then refuses more: inputs that the module lets
// through but that a browser or Go's net/url reads differently (userinfo,
// control characters, odd schemes and ports, malformed IPv6 literals). Rejecting
// more attacker input is never a compatibility break; well-formed targets
// (relative paths and same-host http/https URLs with valid percent-escapes)
// are accepted as current upstream accepts them. Unlike 2.4.12.3, which
// compares host names case-sensitively, "https://WWW.EXAMPLE.COM/" is
// accepted for host www.example.com.
//
// [IsAuthCapable] tells browser navigations apart from XHR/fetch requests
// (mod_auth_openidc's oidc_is_auth_capable_request): only the former get a
// redirect to the provider, the others a 401.
//
// [CurrentURL] rebuilds scheme, host, port and the full URL of the current
// request, honouring only the proxy headers that OIDCXForwardedHeaders trusts.
// The host it returns is what ValidateRedirect compares targets against.
//
// The package has no state and serves no HTTP; everything in it is safe for
// concurrent use.
package urlcheck
