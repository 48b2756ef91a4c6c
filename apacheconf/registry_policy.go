package apacheconf

import "strings"

// What oidcgate does with each directive. The facts about a directive
// (class, override mask, help text) come from Apache's own tables in
// specs_apache_gen.go; this file holds the decisions: a policy per module,
// overridden per directive. The handler-level context checks
// (ap_check_cmd_context) that Apache's tables do not record are measured
// against the real server (specs_checks_gen.go, tools/ctxprobe).

// policy is a status decision with its reason.
type policy struct {
	Status   Status
	Reason   string
	Notable  bool
	Critical bool
}

// Reasons shared by many directives.
const (
	whyMPM       = "process and thread tuning of Apache's MPM; oidcgate is one Go process that sizes itself"
	whyTLSTune   = "TLS session caching and randomness are handled by Go's crypto/tls"
	whyNoHtacc   = "oidcgate never reads .htaccess files"
	whyFilter    = "output filters (compression, transformation) are not applied; put a compressing proxy in front if you need it"
	whyCaching   = "responses are not cached by oidcgate; the backend is always asked"
	whyPresent   = "presentation of files and directory listings served by Apache itself; oidcgate proxies and serves static files without it"
	whyAuthOther = "oidcgate authenticates only with OpenID Connect / OAuth 2.0 (mod_auth_openidc's AuthTypes); protect the path with AuthType openid-connect or oauth20 instead"
	whyScripts   = "oidcgate runs no scripts or handlers in-process; move the application behind ProxyPass"
	// whyUnlisted is the fail-safe default of the modules oidcgate
	// implements: every directive of theirs has its own entry below, so a
	// directive without one is one nobody has looked at.
	whyUnlisted = "not honoured: oidcgate implements this module but not this directive"
	whyAlias    = "matched in Apache's order (after ProxyPass and the server's Redirect*, first match wins, a virtual host's rules before the main server's); the target is served like a DocumentRoot file: the <Directory>/<Files> sections of the file-system path decide access, DirectoryIndex (looked up through the index URL's own mapping), DirectorySlash to the URL path, ETag, ranges, 404 for missing files, no listings; a relative target is relative to ServerRoot"
	whyIf       = "evaluated per request with apacheconf/expr, merged after the Location group in Apache's order (server-level chains, then those in the matching sections, then nested ones); like Apache, before authentication, so %{REMOTE_USER} is empty there"
	whyJWE      = "Accepted like the module's cjose 0.6.2.1: alg RSA1_5, RSA-OAEP, A128KW, A192KW, A256KW, dir; enc A128CBC-HS256, A192CBC-HS384, A256CBC-HS512, A128GCM, A192GCM, A256GCM; compressed (zip) JWEs are refused"
)

// modulePolicy is the default for every directive of a module.
var modulePolicy = map[string]policy{
	"core":                 {Status: Unsupported, Reason: whyUnlisted},
	"http_core":            {Status: Unsupported, Reason: whyUnlisted},
	"mod_so":               {Status: Supported},
	"mod_version":          {Status: Supported},
	"mpm_common":           {Status: Ignored, Reason: whyMPM},
	"mod_unixd":            {Status: Ignored, Reason: "oidcgate runs as the user that starts it (the container's USER); it does not switch users"},
	"mod_watchdog":         {Status: Ignored, Reason: "Apache's internal timer threads; nothing in oidcgate uses them"},
	"mod_log_config":       {Status: Unsupported, Reason: whyUnlisted},
	"mod_logio":            {Status: Ignored, Reason: "time-to-first-byte tracking for %^FB; oidcgate measures %D and %T itself"},
	"mod_proxy":            {Status: Unsupported, Reason: whyUnlisted},
	"mod_proxy_wstunnel":   {Status: Unsupported, Reason: whyUnlisted},
	"mod_headers":          {Status: Unsupported, Reason: whyUnlisted},
	"mod_env":              {Status: Unsupported, Reason: whyUnlisted},
	"mod_setenvif":         {Status: Unsupported, Reason: whyUnlisted},
	"mod_alias":            {Status: Unsupported, Reason: whyUnlisted},
	"mod_authz_core":       {Status: Unsupported, Reason: whyUnlisted},
	"mod_authn_core":       {Status: Unsupported, Reason: whyUnlisted},
	"mod_dir":              {Status: Unsupported, Reason: whyUnlisted},
	"mod_ssl":              {Status: Ignored, Reason: whyTLSTune},
	"mod_auth_openidc":     {Status: Unsupported, Reason: whyUnlisted},
	"mod_mime":             {Status: Ignored, Reason: "content types of static files come from Go's MIME table; language, charset and encoding annotations are not applied", Notable: true},
	"mod_mime_magic":       {Status: Ignored, Reason: "content types of static files come from their extension"},
	"mod_autoindex":        {Status: Ignored, Reason: whyPresent},
	"mod_negotiation":      {Status: Ignored, Reason: "content negotiation between file variants is not done; the requested file is served"},
	"mod_deflate":          {Status: Ignored, Reason: whyFilter, Notable: true},
	"mod_brotli":           {Status: Ignored, Reason: whyFilter, Notable: true},
	"mod_filter":           {Status: Ignored, Reason: whyFilter},
	"mod_reqtimeout":       {Status: Ignored, Reason: "request read timeouts come from Timeout and Go's server limits"},
	"mod_http2":            {Status: Ignored, Reason: "HTTP/2 is enabled by Protocols h2 alone; H2* tuning and server push are not supported by Go's server", Notable: true},
	"mod_cache":            {Status: Ignored, Reason: whyCaching, Notable: true},
	"mod_cache_disk":       {Status: Ignored, Reason: whyCaching},
	"mod_cache_socache":    {Status: Ignored, Reason: whyCaching},
	"mod_file_cache":       {Status: Ignored, Reason: whyCaching},
	"mod_socache_memcache": {Status: Ignored, Reason: "shared object caches of other modules; OIDC sessions use OIDCCacheType"},
	"mod_socache_redis":    {Status: Ignored, Reason: "shared object caches of other modules; OIDC sessions use OIDCCacheType"},
	"mod_expires":          {Status: Unsupported, Reason: "Expires/Cache-Control headers are not generated; set them with Header set Cache-Control … or in the backend"},
	"mod_remoteip":         {Status: Unsupported, Reason: "the client address is not replaced from X-Forwarded-For/PROXY; Require ip and %a see the connecting proxy's address", Critical: true},
	"mod_rewrite":          {Status: Unsupported, Reason: "URL rewriting is not implemented: the rules are not applied. The usual http-to-https RewriteRule is `Redirect permanent / https://HOST/` in the port-80 virtual host; use ProxyPass/ProxyPassMatch for proxying rules and Redirect/RedirectMatch for other redirects", Critical: true},
	"mod_lua":              {Status: Unsupported, Reason: "Lua hooks are not run; implement the logic in the backend", Critical: true},
	"mod_macro":            {Status: Unsupported, Reason: "macros are not expanded; expand them (apache2 -t -D DUMP_CONFIG with mod_info) and use the result", Critical: true},
	"mod_md":               {Status: Unsupported, Reason: "ACME certificate management is not done; provision certificates outside and point SSLCertificateFile at them", Critical: true},
	"mod_access_compat":    {Status: Unsupported, Reason: "Apache 2.2 access control (Order/Allow/Deny/Satisfy) is not implemented; use Require ip / Require host / Require all", Critical: true},
	"mod_auth_basic":       {Status: Unsupported, Reason: whyAuthOther, Critical: true},
	"mod_auth_digest":      {Status: Unsupported, Reason: whyAuthOther, Critical: true},
	"mod_auth_form":        {Status: Unsupported, Reason: whyAuthOther, Critical: true},
	"mod_authn_anon":       {Status: Unsupported, Reason: whyAuthOther, Critical: true},
	"mod_authn_dbd":        {Status: Unsupported, Reason: whyAuthOther, Critical: true},
	"mod_authn_dbm":        {Status: Unsupported, Reason: whyAuthOther, Critical: true},
	"mod_authn_file":       {Status: Unsupported, Reason: whyAuthOther, Critical: true},
	"mod_authn_socache":    {Status: Unsupported, Reason: whyAuthOther, Critical: true},
	"mod_authnz_fcgi":      {Status: Unsupported, Reason: whyAuthOther, Critical: true},
	"mod_authnz_ldap":      {Status: Unsupported, Reason: whyAuthOther, Critical: true},
	"mod_authz_dbd":        {Status: Unsupported, Reason: "group authorization from a database is not implemented; use Require claim", Critical: true},
	"mod_authz_dbm":        {Status: Unsupported, Reason: "group authorization from DBM files is not implemented; use Require claim", Critical: true},
	"mod_authz_groupfile":  {Status: Unsupported, Reason: "group files are not read; use Require claim", Critical: true},
	"mod_ldap":             {Status: Unsupported, Reason: "LDAP connections are not made; use the OpenID Provider's claims", Critical: true},
	"mod_session":          {Status: Unsupported, Reason: "mod_session sessions are not kept; OIDC sessions are mod_auth_openidc's", Critical: true},
	"mod_session_cookie":   {Status: Unsupported, Reason: "mod_session sessions are not kept; OIDC sessions are mod_auth_openidc's", Critical: true},
	"mod_session_crypto":   {Status: Unsupported, Reason: "mod_session sessions are not kept; OIDC sessions are mod_auth_openidc's", Critical: true},
	"mod_session_dbd":      {Status: Unsupported, Reason: "mod_session sessions are not kept; OIDC sessions are mod_auth_openidc's", Critical: true},
	"mod_allowmethods":     {Status: Unsupported, Reason: "method restrictions are not applied; use Require method or <LimitExcept> with Require all denied", Critical: true},
	"mod_vhost_alias":      {Status: Unsupported, Reason: "mass virtual hosting is not implemented; write the virtual hosts out", Critical: true},
	"mod_proxy_fcgi":       {Status: Unsupported, Reason: "FastCGI backends are not supported; put the application behind an HTTP server and use ProxyPass http://", Critical: true},
	"mod_proxy_scgi":       {Status: Unsupported, Reason: "SCGI backends are not supported; use an HTTP backend", Critical: true},
	"mod_proxy_ftp":        {Status: Unsupported, Reason: "FTP proxying is not supported", Critical: true},
	"mod_proxy_connect":    {Status: Unsupported, Reason: "CONNECT forward proxying is not supported", Critical: true},
	"mod_proxy_express":    {Status: Unsupported, Reason: "DBM-driven reverse proxy maps are not supported; write ProxyPass rules", Critical: true},
	"mod_proxy_hcheck":     {Status: Unsupported, Reason: "active backend health checks are not run; failed backends are retried after retry= as Apache does without health checks"},
	"mod_proxy_html":       {Status: Unsupported, Reason: "HTML bodies are not rewritten; make the backend emit correct links (ProxyPassReverse rewrites headers only)"},
	"mod_xml2enc":          {Status: Unsupported, Reason: "charset conversion of proxied markup is not done"},
	"mod_substitute":       {Status: Unsupported, Reason: "response bodies are not rewritten; change the backend"},
	"mod_sed":              {Status: Unsupported, Reason: "response bodies are not rewritten; change the backend"},
	"mod_ext_filter":       {Status: Unsupported, Reason: "external filter programs are not run"},
	"mod_charset_lite":     {Status: Unsupported, Reason: "charset translation is not done"},
	"mod_case_filter":      {Status: Unsupported, Reason: "example filter module; not supported"},
	"mod_case_filter_in":   {Status: Unsupported, Reason: "example filter module; not supported"},
	"mod_buffer":           {Status: Ignored, Reason: "bodies are streamed; buffering has no visible effect"},
	"mod_usertrack":        {Status: Unsupported, Reason: "tracking cookies are not set"},
	"mod_speling":          {Status: Unsupported, Reason: "misspelled URLs are not corrected"},
	"mod_userdir":          {Status: Unsupported, Reason: "~user directories are not served"},
	"mod_cgi":              {Status: Unsupported, Reason: whyScripts, Critical: true},
	"mod_cgid":             {Status: Ignored, Reason: "the CGI daemon socket; oidcgate runs no CGI scripts"},
	"mod_include":          {Status: Unsupported, Reason: whyScripts},
	"mod_actions":          {Status: Unsupported, Reason: whyScripts, Critical: true},
	"mod_dav":              {Status: Unsupported, Reason: "WebDAV is not served; proxy to a WebDAV backend", Critical: true},
	"mod_dav_fs":           {Status: Ignored, Reason: "WebDAV lock database; WebDAV is not served"},
	"mod_dav_lock":         {Status: Ignored, Reason: "WebDAV lock database; WebDAV is not served"},
	"mod_dbd":              {Status: Ignored, Reason: "database connection pools of other modules, which are not supported"},
	"mod_info":             {Status: Unsupported, Reason: "the server-info page is not served"},
	"mod_status":           {Status: Unsupported, Reason: "the server-status page is not served"},
	"mod_imagemap":         {Status: Unsupported, Reason: "server-side image maps are not served"},
	"mod_cern_meta":        {Status: Unsupported, Reason: "CERN meta files are not read"},
	"mod_ident":            {Status: Ignored, Reason: "RFC 1413 ident lookups are not made (%l logs '-')"},
	"mod_suexec":           {Status: Ignored, Reason: "no programs are executed"},
	"mod_dumpio":           {Status: Ignored, Reason: "debug logging of raw I/O; use oidcgate's debug log level"},
	"mod_log_debug":        {Status: Ignored, Reason: "debug log messages; use oidcgate's debug log level"},
	"mod_log_forensic":     {Status: Ignored, Reason: "forensic request logs are not written", Notable: true},
	"mod_heartbeat":        {Status: Ignored, Reason: "heartbeat multicast is not sent"},
	"mod_heartmonitor":     {Status: Ignored, Reason: "heartbeat monitoring is not done"},
	"mod_reflector":        {Status: Unsupported, Reason: "the reflector handler is not served"},
	"mod_echo":             {Status: Unsupported, Reason: "the echo protocol is not served"},
	"mod_dialup":           {Status: Unsupported, Reason: "bandwidth emulation is not done"},
	"mod_request":          {Status: Ignored, Reason: "request body buffering for filters; bodies are streamed"},
}

// directivePolicy overrides modulePolicy for single directives (keys are
// lower-case names).
var directivePolicy = map[string]policy{
	// Structural directives the reader and compiler carry out today.
	"include": {Status: Supported}, "includeoptional": {Status: Supported},
	"define": {Status: Supported}, "undefine": {Status: Supported}, "serverroot": {Status: Supported},
	"<ifmodule": {Status: Supported}, "<ifdefine": {Status: Supported}, "<iffile": {Status: Supported},
	"<ifdirective": {Status: Supported}, "<ifsection": {Status: Supported},
	"<virtualhost": {Status: Supported}, "<directory": {Status: Supported}, "<directorymatch": {Status: Supported},
	"<location": {Status: Supported}, "<locationmatch": {Status: Supported}, "<files": {Status: Supported},
	"<filesmatch": {Status: Supported}, "<if": {Status: Supported, Reason: whyIf}, "<elseif": {Status: Supported, Reason: whyIf}, "<else": {Status: Supported, Reason: whyIf},
	"<proxy": {Status: Supported}, "<proxymatch": {Status: Supported},
	"servername": {Status: Supported}, "serveralias": {Status: Supported}, "listen": {Status: Supported},
	"loadfile":          {Status: Ignored, Reason: "oidcgate loads no shared libraries; the file is not opened"},
	"defaultruntimedir": {Status: Ignored, Reason: "oidcgate keeps no run-time files; Apache's check that the directory exists only affects configtest --apache"},

	// Honoured by oidcgate serve today (compat-tests/serve_test.go compares
	// them with Apache).
	"proxypass": {Status: Supported}, "proxypassmatch": {Status: Supported}, "proxypassreverse": {Status: Supported},
	"proxypreservehost": {Status: Supported}, "proxyaddheaders": {Status: Supported}, "proxytimeout": {Status: Supported},
	"header":        {Status: Supported, Reason: "all actions; env= and expr= conditions (headers they read go to Vary), expr= values; onsuccess on the responses the handler produced (any backend status), always on every response including the server's own errors and redirects; early is accepted and, as in Apache, has no effect on the response"},
	"requestheader": {Status: Supported, Reason: "all actions; env= and expr= conditions, expr= values; early at server level runs before the section walk, early inside sections is never applied (as in Apache)"},
	"setenv":        {Status: Supported}, "unsetenv": {Status: Supported}, "passenv": {Status: Supported},
	"sslproxycarevocationfile":     {Status: Supported, Reason: "PEM CRLs, consulted with SSLProxyVerify require and SSLProxyCARevocationCheck leaf or chain (OpenSSL's rules: a CRL signed by the issuer, in its validity period; no CRL for an issuer fails unless no_crl_for_cert_ok); without the check, AH01902 is reported as by Apache"},
	"sslproxycarevocationpath":     {Status: Supported, Reason: "every PEM CRL in the directory's files (Apache finds them by their hash names, so it needs c_rehash/openssl rehash links; oidcgate does not)"},
	"sslproxycarevocationcheck":    {Status: Supported, Reason: "none, leaf, chain and no_crl_for_cert_ok; only with SSLProxyVerify require, as in Apache"},
	"proxyvia":                     {Status: Supported, Reason: "Full names the server as Apache does: (Apache/2.4.71)"},
	"proxypassreversecookiedomain": {Status: Supported, Reason: "the interpolate flag is not honoured"},
	"proxypassreversecookiepath":   {Status: Supported, Reason: "the interpolate flag is not honoured"},
	"setenvif":                     {Status: Supported}, "setenvifnocase": {Status: Supported}, "browsermatch": {Status: Supported}, "browsermatchnocase": {Status: Supported},
	"require":     {Status: Supported, Reason: "all, ip, local, env, method, user, valid-user, claim and claims_expr (jq, an oidcgate extension: Debian's 2.4.12.3 is built without it); expr (ap_expr; reading %{REMOTE_USER} makes it wait for authentication); host and forward-dns are refused at start-up (no per-request DNS); other providers (group, ldap-…) grant nothing"},
	"<requireall": {Status: Supported}, "<requireany": {Status: Supported}, "<requirenone": {Status: Supported},
	"authmerging": {Status: Supported}, "<limit": {Status: Supported}, "<limitexcept": {Status: Supported},
	"authtype": {Status: Supported, Reason: "openid-connect, oauth20 (bearer tokens, package oidc's resource server) and auth-openidc (a bearer token if there is one, else OPTIONS passes, else the relying party)"}, "authname": {Status: Supported, Reason: "the realm of the resource server's WWW-Authenticate"},
	"authzsendforbiddenonfailure": {Status: Supported},

	// mod_auth_openidc's relying party, served by package oidc
	// (oidc/rp_test.go, proxy/oidc_test.go, compat-tests' OIDC
	// differential).
	"oidcprovidermetadataurl": {Status: Supported}, "oidcproviderissuer": {Status: Supported},
	"oidcproviderauthorizationendpoint": {Status: Supported}, "oidcprovidertokenendpoint": {Status: Supported},
	"oidcprovideruserinfoendpoint": {Status: Supported}, "oidcproviderjwksuri": {Status: Supported},
	"oidcproviderendsessionendpoint": {Status: Supported}, "oidcproviderrevocationendpoint": {Status: Supported},
	"oidcprovidermetadatarefreshinterval": {Status: Supported},
	"oidcclientid":                        {Status: Supported}, "oidcclientsecret": {Status: Supported, Reason: "as current upstream (2.4.14 and later), " + execNote + "; 2.4.12.3 sends an exec: value literally (configtest --apache takes it literally too, and lint remarks on it)"},
	"oidcredirecturi": {Status: Supported}, "oidcscope": {Status: Supported}, "oidcauthrequestparams": {Status: Supported},
	"oidcpathscope": {Status: Supported}, "oidcpathauthrequestparams": {Status: Supported},
	"oidcresponsemode":                   {Status: Supported, Reason: "query and form_post; fragment needs the implicit flows, which are not implemented"},
	"oidcpkcemethod":                     {Status: Supported, Reason: "S256 by default (deliberate difference: upstream's current default); plain and none as configured"},
	"oidcprovidertokenendpointauth":      {Status: Supported, Reason: "client_secret_basic, client_secret_post, client_secret_jwt (HS256 assertion as 2.4.12.3 builds it), private_key_jwt (RS256, or ES256/384/512 for an EC key as upstream, signed with the first OIDCPrivateKeyFiles key: kid, x5t of the first OIDCPublicKeyFiles certificate) and none; at the token endpoint (code and refresh grants) and the revocation endpoint; a fresh assertion per call (2.4.12.3 replays one across a logout's two revocation calls)"},
	"oidcprivatekeyfiles":                {Status: Supported, Reason: "PEM private keys, [kid#]file (RSA; upstream's EC keys and sig:/enc: prefix too), read at start-up; the kid is derived from the key as the module does when none is given; the first signs private_key_jwt assertions; all decrypt JWE id_tokens, userinfo and bearer tokens (docs/jwe.md)"},
	"oidcpublickeyfiles":                 {Status: Supported, Reason: "PEM public keys or certificates, [kid#]file (upstream's EC keys and sig:/enc: prefix too), published at the redirect URI's ?jwks in the module's format (kid, x5c, x5t#S256, x5t); a certificate chain, which makes 2.4.12.3 abort at start-up, is published whole"},
	"oidcclienttokenendpointcert":        {Status: Supported, Reason: "PEM certificate (ServerRoot-relative), presented to the token endpoint only (code and refresh grants), as in 2.4.12.3; the key may be in the same file"},
	"oidcclienttokenendpointkey":         {Status: Supported, Reason: "PEM private key (ServerRoot-relative) of OIDCClientTokenEndpointCert; lint warns when the pair cannot be loaded (then every token request fails)"},
	"oidcclienttokenendpointkeypassword": {Status: Supported, Reason: "decrypts legacy OpenSSL PEM and PKCS#8 keys (PBES2/PBKDF2 with AES-CBC or DES-EDE3-CBC, PBE-SHA1-3DES); scrypt-encrypted and other PBES1 keys, which OpenSSL reads, are refused (lint: convert with openssl pkey -aes256); " + execNote},
	"oidcidtokensignedresponsealg":       {Status: Supported}, "oidcvalidateissuer": {Status: Supported}, "oidcidtokeniatslack": {Status: Supported},
	// JWE id_tokens, userinfo JWTs (oidc/jwe.go, oidc/userinfo_jwt.go).
	"oidcidtokenencryptedresponsealg":  {Status: Supported, Reason: "sent in dynamic client registration; as in 2.4.12.3 it does not restrict what is accepted: a JWE id_token is decrypted whatever this says, with OIDCPrivateKeyFiles' keys or the client secret's SHA-256 (cut to 16/24 bytes for A128KW/A192KW: 2.4.12.3 does that only at LogLevel debug and otherwise fails, lint notes it; docs/jwe.md). " + whyJWE},
	"oidcidtokenencryptedresponseenc":  {Status: Supported, Reason: "sent in dynamic client registration; as in 2.4.12.3 it does not restrict what is accepted (the JWE's enc header decides)"},
	"oidcuserinfosignedresponsealg":    {Status: Supported, Reason: "sent in dynamic client registration; set, the userinfo response must be a JWT signed with exactly this alg (a JWE around it is decrypted), verified with the provider's JWKS or, for HS*, the client secret; as in 2.4.12.3 and upstream, iss, aud and exp are not checked and a plain JSON answer is refused"},
	"oidcuserinfoencryptedresponsealg": {Status: Supported, Reason: "sent in dynamic client registration; set, the userinfo response must be a JWE (keys as for id_tokens); its plaintext is then read as OIDCUserInfoSignedResponseAlg says (a JWS) or as JSON. " + whyJWE},
	"oidcuserinfoencryptedresponseenc": {Status: Supported, Reason: "sent in dynamic client registration; as in 2.4.12.3 it does not restrict what is accepted (the JWE's enc header decides)"},
	"oidccryptopassphrase":             {Status: Supported, Reason: "encrypts state cookies (JWE dir/A256GCM); " + execNote},
	"oidcstatetimeout":                 {Status: Supported}, "oidcstatemaxnumberofcookies": {Status: Supported}, "oidcstateinputheaders": {Status: Supported},
	"oidcstatecookieprefix":        {Status: Supported},
	"oidcsessioninactivitytimeout": {Status: Supported}, "oidcsessionmaxduration": {Status: Supported},
	"oidcsessioncookiepersistent":      {Status: Supported},
	"oidcsessiontype":                  {Status: Supported, Reason: "server-cache and client-cookie, with :persistent and :store_id_token as 2.4.12.3 accepts them (client-cookie:persistent:store_id_token sets both, as current upstream; 2.4.12.3 set neither). A client-cookie session is the session JSON, zlib-deflated and sealed (JWE dir/A256GCM with the OIDCCryptoPassphrase key): not readable by mod_auth_openidc (switching logs users out once); without :store_id_token the raw id_token is not kept (no id_token_hint at logout, as in the module), a JWT userinfo response never; back-channel logout cannot end it, and a copied cookie stays valid until its inactivity expiry"},
	"oidcsessioncookiechunksize":       {Status: Supported, Reason: "4000 by default, 0 (or less) disables chunking; current upstream's rules: no empty trailing chunk, at most 99 chunks (a bigger session is refused: the login fails with 500), a missing chunk or a chunk count out of range means no session"},
	"oidcsessioncachefallbacktocookie": {Status: Supported, Reason: "a session the store cannot take (its write fails) becomes a client-cookie session and stays one until it ends; as current upstream, a cookie value the store does not know is tried as a client-cookie session (2.4.12.3 only tried when the store read failed)"},
	"oidccookie":                       {Status: Supported}, "oidccookiepath": {Status: Supported}, "oidccookiedomain": {Status: Supported},
	"oidccookiehttponly": {Status: Supported}, "oidccookiesamesite": {Status: Supported},
	"oidcremoteuserclaim": {Status: Supported}, "oidcclaimprefix": {Status: Supported}, "oidcclaimdelimiter": {Status: Supported},
	"oidcpassclaimsas": {Status: Supported}, "oidcpassidtokenas": {Status: Supported},
	"oidcpassuserinfoas":   {Status: Supported, Reason: "claims, json, and jwt (OIDC_userinfo_jwt: a signed userinfo response as received, or the JWS inside an encrypted one; server-cache sessions only, as in the module). Upstream's json:NAME (refused by 2.4.12.3: write it inside <IfModule oidcgate.c>) puts the userinfo JSON (AuthType openid-connect) or the token's claims (AuthType oauth20) into header NAME"},
	"oidcpassrefreshtoken": {Status: Supported}, "oidcauthnheader": {Status: Supported},
	"oidcunauthaction": {Status: Supported, Reason: "auth, pass, 401, 407, 410, and the expression form (ap_expr, apacheconf/expr)"},
	"oidcunautzaction": {Status: Supported, Reason: "401, 403 (Apache's 401 unless AuthzSendForbiddenOnFailure On), 302 URL and auth (the step-up page, 401 for a request that cannot log in), run where 2.4.12.3 runs them: when a Require claim line denies the user and the Require tree then denies (another line's denial, a held \"Require not claim\", gets Apache's plain 401/403); 2.4.12.3's pages with 200 (302's redirect page, auth's with its Location header, 401/403's text as the page). Deliberate difference: a request another Require line grants after a claim line denied (bare lines, RequireAny, Require not claim) is answered by the backend — 2.4.12.3 sends the page and proxies the request anyway, discarding the answer; lint warns about such configs"},
	"oidcdefaulturl":   {Status: Supported}, "oidcdefaultloggedouturl": {Status: Supported},
	"oidcredirecturlsallowed": {Status: Supported}, "oidcinfohook": {Status: Supported},
	"oidchtmlerrortemplate": {Status: Supported},
	"oidchttptimeoutlong":   {Status: Supported}, "oidchttptimeoutshort": {Status: Supported},
	"oidcsslvalidateserver": {Status: Supported}, "oidccabundlepath": {Status: Supported}, "oidcoutgoingproxy": {Status: Supported},
	"oidccachetype":        {Status: Supported, Reason: "one store for all virtual hosts, chosen by the main server's OIDCCacheType, else by the first virtual host that sets one (lint warns at a virtual host asking for another: mod_auth_openidc gives each its own); shm (the default) is oidcgate's in-memory store; redis and memcache share sessions between instances (a request whose store call fails gets 500, where 2.4.12.3 drops the session and redirects to the provider); file is kept in memory (not shared, lost on restart; lint says so); the main server's setting applies to every virtual host (a different one inside <VirtualHost> is not honoured)"},
	"oidccacheencrypt":     {Status: Supported, Reason: "On by default for redis, memcache and file, Off for shm, as in the module: keys base64url(SHA-256(\"<passphrase>:<key>\")), values compact JWE dir/A256GCM with upstream's PBKDF2 key; entries are not readable by mod_auth_openidc 2.4.12.3 (switching logs users out once)"},
	"oidcrediscacheserver": {Status: Supported}, "oidcrediscachepassword": {Status: Supported}, "oidcrediscacheusername": {Status: Supported},
	"oidcrediscachedatabase": {Status: Supported}, "oidcrediscacheconnecttimeout": {Status: Supported}, "oidcrediscachetimeout": {Status: Supported},
	"oidcmemcacheservers":         {Status: Supported},
	"oidcmemcacheconnectionshmax": {Status: Supported, Reason: "the idle connections kept per memcached server (default 8)"},
	"oidcmemcacheconnectionsmin":  {Status: Ignored, Reason: "connections to memcached are opened on demand and kept up to OIDCMemCacheConnectionsHMax; there is no minimum or soft maximum"},
	"oidcmemcacheconnectionssmax": {Status: Ignored, Reason: "connections to memcached are opened on demand and kept up to OIDCMemCacheConnectionsHMax; there is no minimum or soft maximum"},
	"oidcmemcacheconnectionsttl":  {Status: Ignored, Reason: "idle memcached connections are kept until used or replaced; a connection the server closed is retried on another"},
	"oidccacheshmmax":             {Status: Supported}, "oidccacheshmentrysizemax": {Status: Supported},
	"oidcstripcookies": {Status: Supported}, "oidcxforwardedheaders": {Status: Supported},

	// Several providers (oidc/providers.go, oidc/discovery.go,
	// oidc/registration.go; compat-tests/providers_test.go).
	"oidcmetadatadir":                      {Status: Supported, Reason: "<issuer>.provider/.conf/.client read as 2.4.12.3 names them (the relying party is rebuilt when a file changes, not re-read per request); .conf honours the JOSE algorithms, client_jwks_uri, ssl_validate_server, validate_issuer, scope, idtoken_iat_slack, session_max_duration, userinfo_refresh_interval, auth_request_params, token_endpoint_params, response_mode, pkce_method, client_name, client_contact, token_endpoint_auth, registration_token, registration_endpoint_json, userinfo_token_method and auth_request_method; a provider whose .conf response_type or registered response_types make the module use another flow than code is refused (only the code flow is implemented); jwks_refresh_interval, keys, request_object, token_endpoint_tls_client_*, token_binding_policy and issuer_specific_redirect_uri are not. The choice page lists the valid https issuers, as the module's code does (measured: Debian's 2.4.12.3 lists none, only its text field works; http issuers can only be typed in)"},
	"oidcdiscoverurl":                      {Status: Supported},
	"oidcdiscoverissuersallowed":           {Status: Supported, Reason: "current upstream (refused by 2.4.12.3: write it inside <IfModule oidcgate.c>): unanchored regular expressions an issuer, account domain or user URL must match before discovery; a refusal is a 401"},
	"oidcproviderregistrationendpointjson": {Status: Supported, Reason: "members replace those of the dynamic registration request"},
	"oidcclientname":                       {Status: Supported}, "oidcclientcontact": {Status: Supported}, "oidcclientjwksuri": {Status: Supported, Reason: "sent in dynamic client registration"},

	"oidclogoutxframeoptions": {Status: Supported}, "oidcprovidertokenendpointparams": {Status: Supported},
	"oidcuserinfotokenmethod": {Status: Supported}, "oidcuserinforefreshinterval": {Status: Supported, Reason: "2.4.12.3's behaviour: 0 never refreshes; a failed refresh clears the userinfo claims"},
	"oidcproviderauthrequestmethod": {Status: Supported},
	"oidcpreservepost":              {Status: Supported, Reason: "the module's Preserving/Restoring pages (sessionStorage), or upstream's OIDCPreservePostTemplates"},
	// Session management, logout and provider calls (oidc/sessmgmt.go,
	// oidc/passcookies.go, oidc/keys.go; compat-tests/sessmgmt_test.go,
	// backchannel_test.go, cookiesize_test.go).
	"oidcproviderchecksessioniframe":         {Status: Supported, Reason: "OpenID Connect Session Management as 2.4.12.3 (?session=iframe_op, iframe_rp, check, logout; session_state kept from the callback when an iframe is known; overrides the discovered check_session_iframe). As current upstream, the RP iframe's values are JavaScript-escaped and its login_uri must be on this host (2.4.12.3 took any URL)"},
	"oidcproviderbackchannellogoutsupported": {Status: Ignored, Reason: "2.4.12.3 only writes it to its debug log: a back-channel logout request is accepted whatever it says (and the provider learns the URI from registration or its own configuration)"},
	"oidclogoutrequestparams":                {Status: Supported, Reason: "current upstream's: appended as written to the end_session_endpoint redirect, after id_token_hint and post_logout_redirect_uri. Apache 2.4.12.3 does not know the directive: put it in <IfModule oidcgate.c>"},
	"oidcpasscookies":                        {Status: Supported, Reason: "the named browser cookies (first value of each, in the configured order) go as one Cookie header on the calls to the provider made for the request: discovery, token, userinfo, refresh, revocation, introspection; key-set (JWKS) downloads carry none"},
	"oidcpassaccesstoken":                    {Status: Supported, Reason: "current upstream's: Off keeps OIDC_access_token and OIDC_access_token_expires from the backend (2.4.12.3 always passes them; OIDC_access_token_type and OIDC_scope are not passed either way). Apache 2.4.12.3 does not know the directive: put it in <IfModule oidcgate.c>"},
	"oidcpreserveposttemplates":              {Status: Supported, Reason: "current upstream's: the preserve template gets the form data and the URL (two %s), the restore template the URL (one %s), the URLs JavaScript-escaped; a template with another format specifier or the wrong number of %s is refused at load (upstream answers 500 per request). Apache 2.4.12.3 does not know the directive: put it in <IfModule oidcgate.c>"},
	"oidcjwksrefreshinterval":                {Status: Supported, Reason: "the provider's key set and OIDCOAuthVerifyJwksUri's are fetched afresh after it (3600 s by default), and whenever a token names an unknown kid"},
	"oidcproviderverifycertfiles":            {Status: Supported, Reason: "PEM certificates or public keys ([kid#]file) verify id_tokens and logout tokens besides the provider's JWKS (tried first; the kid is not used to pick the key); they also work without a jwks_uri"},
	"oidcresponsetype":                       {Status: Supported, Reason: "code (the default); the implicit and hybrid flows are not implemented: any other value is reported unsupported"},
	"oidcrequestobject":                      {Status: Unsupported, Reason: "request objects (request / request_uri, signed or encrypted) are not sent: the authorization parameters go in the query string; remove the directive unless the provider requires request objects, in which case logins fail", Critical: true},
	"oidcoauthaccesstokenbindingpolicy":      {Status: Unsupported, Reason: "Token Binding (RFC 8471) is not implemented and no current browser sends it (removed upstream in 2.4.15); with optional, required or enforced mod_auth_openidc checks a binding oidcgate does not — remove the directive or set it to disabled", Critical: true},
	"oidcrefreshaccesstokenbeforeexpiry":     {Status: Supported, Reason: "2.4.12.3's behaviour: failures are ignored unless logout_on_error; unlike 2.4.12.3 (which, measured against a provider rotating refresh tokens, sends one grant per parallel request and logs all but one out with logout_on_error), one refresh token is spent once: parallel requests, also of a client-cookie session, wait for the one grant and take its outcome for 30 s (current upstream's refresh cache) — across oidcgate instances too when they share OIDCCacheType redis or memcache (a 5 s lock taken atomically, the outcome stored encrypted as every cache value)"},
	"oidcwhitelistedclaims":                  {Status: Supported, Reason: "as 2.4.12.3: only the listed top-level id_token and userinfo claims (exact, case-sensitive names) are kept — for the claim headers and variables, OIDC_id_token_payload, OIDC_userinfo_json and Require claim alike; the remote user is still taken from all claims and OIDC_id_token is passed whole; OIDCInfoHook id_token/userinfo still show the unfiltered claims (the module shows them filtered). Server-wide even inside a section (lines add up; a virtual host's list replaces the main server's). With an empty OIDCClaimPrefix the listed names are also scrubbed from requests"},
	"oidcblacklistedclaims":                  {Status: Supported, Reason: "as 2.4.12.3: the listed top-level id_token and userinfo claims (exact, case-sensitive names) are dropped for the backend and for Require claim; with OIDCWhiteListedClaims too, a claim must be white-listed and not black-listed. Server-wide even inside a section"},
	"redirect":                               {Status: Supported}, "redirectmatch": {Status: Supported}, "redirectpermanent": {Status: Supported}, "redirecttemp": {Status: Supported},
	"logformat": {Status: Supported}, "transferlog": {Status: Supported},
	"customlog":      {Status: Supported, Reason: "files (ServerRoot-relative), /dev/stdout, /dev/stderr and piped loggers (\"|prog\" and \"||prog\" run the program, \"|$cmd\" runs /bin/sh -c; shared across reloads, restarted when it dies); env= and expr= conditions honoured (expr= with REQUEST_STATUS and resp() at logging time)"},
	"globallog":      {Status: Supported},
	"errorlog":       {Status: Supported, Reason: "files (ServerRoot-relative, reopened on reload for rotation), /dev/stderr, /dev/stdout, piped programs as CustomLog, per virtual host; syslog is not supported (lint says so; the log goes to standard error); --log-format json overrides every ErrorLog with JSON on standard error; unset, the log goes to standard error (Apache: logs/error.log)"},
	"loglevel":       {Status: Supported, Reason: "server and virtual host, with per-module levels (core, proxy, auth_openidc ...); a LogLevel inside <Directory>/<Location> is not applied (lint says so)"},
	"errorlogformat": {Status: Unsupported, Reason: "read and checked, not applied: lines keep Apache's default format ([time] [module:level] [pid N:tid N] [client ip:port] message)"},
	"bufferedlogs":   {Status: Ignored, Reason: "access log lines are written as they come; buffering only changes when they reach the file"},
	"protocols":      {Status: Supported}, "allowencodedslashes": {Status: Supported}, "mergeslashes": {Status: Supported},
	"pidfile": {Status: Supported}, "timeout": {Status: Supported},
	"documentroot": {Status: Supported, Reason: "unset, Debian's compiled-in /var/www/html, as Apache"}, "directoryindex": {Status: Supported},
	"errordocument":  {Status: Supported, Reason: "text, URL and local-path forms (the local path as an internal redirect with REDIRECT_* variables, compared with Apache)"},
	"balancermember": {Status: Supported, Reason: "loadfactor, lbset (lower sets first), route, redirect, retry and status +H (standby, per lbset) +R (spare) +D +S +N (drain: sticky sessions only) +I (ignore errors) +E, failover to another member; member sequences compared with Apache 2.4.71"},
	"proxyset":       {Status: Supported, Reason: "lbmethod byrequests, bybusyness and bytraffic (bytes counted as mod_proxy_http does: the request sent, the status line read), stickysession cookie|path with stickysessionsep and scolonpathdelim, nofailover, maxattempts, failonstatus, failontimeout, timeout, forcerecovery and the BALANCER_* variables, compared with Apache 2.4.71; lbmethod=heartbeat is refused (it needs the load reports backends multicast to mod_heartmonitor); growth and nonce only serve the balancer-manager, which is not served, so they are checked and have no effect; on a plain worker (not balancer://) the keys are checked but not applied"},
	"balancergrowth": {Status: Ignored, Reason: "room for members added at run time through the balancer-manager, which oidcgate does not serve"},

	// Serving directives decided in the serving issue: what oidcgate does
	// with them today. Where only a value other than the default makes a
	// difference, servingArgPolicy (registry_args.go) lets the default pass.
	"maxconnectionsperchild":   {Status: Ignored, Reason: whyMPM},
	"maxrequestsperchild":      {Status: Ignored, Reason: whyMPM},
	"maxmemfree":               {Status: Ignored, Reason: whyMPM},
	"threadstacksize":          {Status: Ignored, Reason: whyMPM},
	"namevirtualhost":          {Status: Ignored, Reason: "has no effect since Apache 2.3.11 (it only logs AH00548); name-based virtual hosts are always on"},
	"protocol":                 {Status: Ignored, Reason: "names the protocol of Apache's listening sockets for its accept filters; oidcgate chooses TLS per address from SSLEngine"},
	"protocolshonororder":      {Status: Ignored, Reason: "Go's server picks the protocol (ALPN) in its own order of preference, as Apache's default On does"},
	"qualifyredirecturl":       {Status: Ignored, Reason: "REDIRECT_URL only reaches scripts and SSI pages, which are not run"},
	"usecanonicalphysicalport": {Status: Ignored, Reason: "Off, the default: self-referential URLs take the Host header's or ServerName's port, else the scheme's default; On (the connection's local port before the default) is reported unsupported"},
	"error":                    {Status: Supported, Reason: "refuses the configuration with the message (enclosing quotes removed), as Apache does; usually inside <IfModule !…> or <IfDefine> guards, which are evaluated as Apache evaluates them"},
	"port":                     {Status: Supported, Reason: "refused as Apache 2.4 refuses it (Port was replaced with Listen in Apache 2.0); use Listen"},
	"serveradmin":              {Status: Supported, Reason: "shown HTML-escaped in oidcgate's 500-class error pages and in the ServerSignature EMail footer (the virtual host's, else the main server's), as Apache 2.4.71 does"},
	"serversignature":          {Status: Supported, Reason: "On and EMail add Apache's footer to the pages oidcgate generates itself (errors, redirects, proxy errors), per directory, in Apache 2.4.71's format — host and port as UseCanonicalName says, EMail with ServerAdmin's mailto: link — except that it names oidcgate instead of Apache's ServerTokens banner (\"<address>oidcgate Server at host Port 80</address>\"); the module's own pages and ErrorDocument texts carry none, as in Apache; SERVER_SIGNATURE, which Apache gives CGI and SSI only, is not set"},
	"servertokens":             {Status: Ignored, Reason: "oidcgate sends no Server header of its own (proxied responses keep the backend's), and its ServerSignature footer names \"oidcgate\" without a version, so it reveals less than ServerTokens Prod asks for (Apache's Prod footer says \"Apache\")"},
	"usecanonicalname":         {Status: Supported, Reason: "per directory, as Apache 2.4.71 (measured): Off (the default) takes the name and port of the Host header (then ServerName's port, then the scheme's default), On those of ServerName, for every URL and name oidcgate builds for itself — DirectorySlash and relative Redirect targets, ProxyPassReverse, Via, SERVER_NAME and SERVER_PORT in expressions, the ServerSignature footer; DNS is reported unsupported"},
	"traceenable":              {Status: Supported, Reason: "Off answers TRACE with 405 and an empty Allow header at the handler (after authentication and Redirect), on proxied and local paths, as Apache 2.4.71; On and extended let TRACE through to the backend (a TRACE with a body, which Apache refuses unless extended, is passed on too)"},
	"adddefaultcharset":        {Status: Unsupported, Reason: "no charset is added to text/plain and text/html responses; set it with Header edit Content-Type or in the backend"},
	"fileetag":                 {Status: Unsupported, Reason: "static files always carry Apache's default ETag (size and modification time, as FileETag MTime Size); use Header unset ETag to drop it"},
	"forcetype":                {Status: Unsupported, Reason: "the content type of static files comes from their extension; set it with Header set Content-Type"},
	"httpprotocoloptions":      {Status: Ignored, Reason: "requests are parsed as with Apache's default (Strict LenientMethods Allow0.9) except where net/http decides first (measured): controls and spaces in the request target are refused (400); HTTP/0.9 request lines and an empty line before the request line are refused (400; Apache answers HTTP/0.9 with a bare body and skips the empty line); a bare LF line ending is accepted (Strict refuses it); HTTP/2.0 and HTTP/3.0 request lines get net/http's 505 (Apache serves them as HTTP/1.1); Unsafe, Allow0.9 and RegisteredMethods are reported unsupported"},
	"limitrequestbody":         {Status: Supported, Reason: "as Apache 2.4.71 applies it (measured): a request ProxyPass forwards is never limited — mod_proxy exempts it, so bodies of any size, with Content-Length or chunked, reach the backend (limit them there); any other request (static files, Redirect, DirectorySlash, denials, the module's own answers) whose body is over the limit (default 1 GiB, 0 unlimited) gets Apache's 413 page with Connection: close — ErrorDocument 413 applies, and after a redirect or an error the page says \"Additionally, a <status> error was encountered\" as Apache's does; mod_auth_openidc's body reads (form_post callback, OIDCPreservePost, back-channel logout, a bearer token in a form body) fail when the Content-Length is over the limit, as in 2.4.12.3"},
	"limitrequestfields":       {Status: Supported, Reason: "as Apache 2.4.71 applies it (measured): more header fields than the limit (default 100, 0 unlimited; Host and repeated fields count) get Apache's 400 page \"The number of request header fields exceeds this server's limit.\" with Connection: close and never reach the backend (ErrorDocument 400 as for LimitRequestFieldSize); the limit is the one of the connection's default server (the IP-based virtual host, the first name-based one for the address, or the main server) — a name-based virtual host's own value is never applied, as in Apache; with both a too-long field and too many fields, the size is reported (Apache reports whichever comes first on the wire)"},
	"limitrequestfieldsize":    {Status: Supported, Reason: "as Apache 2.4.71 applies it (measured): a header field line longer than the limit+1 bytes (default 8190) gets Apache's 400 page \"Size of a request header field exceeds server limit.\" with Connection: close and never reaches the backend; the server's ErrorDocument 400 applies when it is a text or a URL (a local path: the built-in page); limits of the connection's default server, as LimitRequestFields; difference: the field is measured as \"Name: value\" after parsing, so whitespace a client puts around the value is not counted; HTTP/2 requests are not limited"},
	"limitrequestline":         {Status: Supported, Reason: "as Apache 2.4.71 applies it (measured): a request line longer than the limit+1 bytes (default 8190) gets Apache's \"414 Request-URI Too Long\" page (that status line, the body even for HEAD) with Connection: close and never reaches the backend; the server's ErrorDocument 414 applies when it is a text or a URL (a local path: the built-in page), the access log shows the line cut after limit+1 bytes; limits of the connection's default server (a name-based virtual host's own value is never applied, as in Apache); HTTP/2 requests are not limited"},
	"mergetrailers":            {Status: Ignored, Reason: "request trailers are never merged into the headers (as with Off, the default); MergeTrailers On is reported unsupported"},
	"regexdefaultoptions":      {Status: Unsupported, Critical: true, Reason: "regular expressions are always compiled with Apache's default (DOTALL and DOLLAR_ENDONLY); ICASE or DOTALL set here would change what <LocationMatch>, ProxyPassMatch and RedirectMatch match — write (?i) or (?s) into the expressions instead"},
	"options":                  {Status: Ignored, Reason: "for the static files oidcgate serves, symbolic links are followed (FollowSymLinks, Apache's default) and directories are never listed (as -Indexes); ExecCGI, Includes and MultiViews have nothing to act on. Options that turn FollowSymLinks off or set SymLinksIfOwnerMatch are reported unsupported"},
	"keepalive":                {Status: Supported, Reason: "Off answers with Connection: close and closes the client connection after each response, per virtual host; On (the default) keeps it open, except after a 400, 408, 411, 413, 414, 500, 501 or 503 response — generated or a backend's — which closes it with Connection: close, as Apache's ap_status_drops_connection; a client that sent Connection: keep-alive gets Keep-Alive: timeout=, max= and Connection: Keep-Alive, an HTTP/1.0 client's connection is kept only then and with a response of known length, and the nokeepalive, downgrade-1.0 and force-response-1.0 variables (Debian's BrowserMatch lines) apply as in Apache (measured); over TLS an HTTP/1.0 connection is never kept and its status line says HTTP/1.0 (Apache: HTTP/1.1)"},
	"keepalivetimeout":         {Status: Supported, Reason: "the main server's value is the idle timeout of client connections (a virtual host's own value and a change at reload are not applied; unset, Go keeps idle connections until the client closes them, Apache closes them after 5 s)"},
	"maxkeepaliverequests":     {Status: Supported, Reason: "counted per client connection as Apache 2.4.71 counts (measured): the first request and N kept-alive ones, the response after them says Connection: close and the connection is closed; per virtual host, 0 unlimited, default 100; HTTP/2 streams are not counted"},

	// mod_alias's file mapping (proxy/alias.go): the file is then served as
	// a DocumentRoot file is.
	"alias":             {Status: Supported, Reason: whyAlias + "; the URL-path matches on path-segment boundaries, and a trailing slash on it is required in the request (Alias /icons/ does not match /icons); the one-argument form in <Location> evaluates its expression per request (a value read from the request that would leave the expression's literal directory is 404)"},
	"aliasmatch":        {Status: Supported, Reason: whyAlias + "; $0-$9 and & are replaced as Apache does (back-references that together make up a '..' leaving the target's literal directory are 404, where Apache would follow them)"},
	"aliaspreservepath": {Status: Supported, Reason: "On appends the rest of the URL path after the <Location> to the one-argument Alias's target, as Apache does"},
	"redirectrelative":  {Status: Supported, Reason: "Off (the default) makes a path target absolute with the request's scheme and Host, On sends it as written, as Apache does"},

	// mod_authn_core / mod_authz_core provider aliases.
	"<authnprovideralias": {Status: Unsupported, Critical: true, Reason: "authentication providers (AuthBasicProvider …) are not supported, so neither are their aliases; use AuthType openid-connect or oauth20"},
	"<authzprovideralias": {Status: Unsupported, Critical: true, Reason: "authorization provider aliases are not expanded: a Require naming the alias grants nothing; write the Require lines (Require claim …) out"},

	// mod_dir, for the static files of DocumentRoot (proxy/static.go).
	"directoryslash":         {Status: Supported, Reason: "On (the default) redirects a directory without its trailing slash with 301, Off answers 404 as Apache does without a handler"},
	"directorycheckhandler":  {Status: Ignored, Reason: "no handlers are set on static files, so mod_dir always acts, as with Off (the default)"},
	"directoryindexredirect": {Status: Unsupported, Reason: "not honoured: a directory's index file is served in place (as with Off, the default), not redirected to"},
	"fallbackresource":       {Status: Unsupported, Critical: true, Reason: "not honoured: a missing static file is 404 instead of the fallback (a front controller such as /index.php); serve the application from a backend with ProxyPass"},

	// mod_proxy settings.
	"proxyrequests":                     {Status: Unsupported, Critical: true, Reason: "forward proxying (ProxyRequests On) is not implemented: oidcgate is a reverse proxy only; remove the directive (Off, the default, is what oidcgate does)"},
	"proxyremote":                       {Status: Unsupported, Critical: true, Reason: "requests are not sent through a remote proxy: the backend is connected to directly; make the backend reachable or put the proxy into the ProxyPass URL's network path"},
	"proxyremotematch":                  {Status: Unsupported, Critical: true, Reason: "requests are not sent through a remote proxy: the backend is connected to directly; make the backend reachable directly"},
	"noproxy":                           {Status: Ignored, Reason: "exceptions to ProxyRemote, which is not supported: every backend is connected to directly, as NoProxy asks"},
	"proxyblock":                        {Status: Unsupported, Critical: true, Reason: "blocks forward-proxy requests to the listed hosts; oidcgate does no forward proxying, but a ProxyPass to a blocked host is not refused as Apache refuses it — remove such ProxyPass rules"},
	"proxydomain":                       {Status: Ignored, Reason: "only completes unqualified host names of forward-proxy requests, which oidcgate does not serve"},
	"proxybadheader":                    {Status: Unsupported, Reason: "not honoured: a backend response header Go cannot parse fails the request with 502, as with IsError (the default); StartBody and Ignore are not applied"},
	"proxyerroroverride":                {Status: Unsupported, Reason: "ProxyErrorOverride On is not honoured: the backend's error responses reach the client as they are, not replaced by the ErrorDocument or Apache's page; make the backend produce the pages (Off, the default, is what oidcgate does)"},
	"proxyiobuffersize":                 {Status: Ignored, Reason: "I/O buffer tuning; bodies are streamed with oidcgate's own buffers"},
	"proxyreceivebuffersize":            {Status: Ignored, Reason: "TCP receive buffer tuning; the operating system's default is used"},
	"proxymaxforwards":                  {Status: Ignored, Reason: "Max-Forwards is forwarded as the client sent it and never added (Apache 2.4's default, -1)"},
	"proxypassinherit":                  {Status: Unsupported, Reason: "not honoured: virtual hosts always inherit the main server's ProxyPass rules, as with On (the default); with Off, repeat nothing and move the main server's rules into the virtual hosts that need them"},
	"proxypassinterpolateenv":           {Status: Unsupported, Critical: true, Reason: "ProxyPassInterpolateEnv On is not honoured: ${VAR} in ProxyPass … interpolate rules is not replaced per request, so they route to the literal text; write the values out (Off, the default, is what oidcgate does)"},
	"proxysourceaddress":                {Status: Unsupported, Reason: "backend connections leave from the address the operating system chooses; route or firewall by that address instead"},
	"proxy100continue":                  {Status: Ignored, Reason: "Expect: 100-continue is answered by Go's server when the body is read, and the backend is not asked first (as Proxy100Continue Off); only the timing of the 100 response differs"},
	"balancerinherit":                   {Status: Unsupported, Reason: "not honoured: virtual hosts always see the main server's balancers and ProxySet settings, as with On (the default)"},
	"balancerpersist":                   {Status: Ignored, Reason: "keeps balancer-manager changes across restarts; the balancer-manager is not served, so there is nothing to keep"},
	"proxywebsocketfallbacktoproxyhttp": {Status: Ignored, Reason: "WebSocket upgrades are tunnelled by the HTTP proxy (as with On, the default); there is no separate mod_proxy_wstunnel path"},

	// mod_setenvif.
	"setenvifexpr": {Status: Supported, Reason: "the ap_expr is evaluated per request (apacheconf/expr) in SetEnvIf's order; a line whose values use $0-$9 back-references is not evaluated (its variables stay unset; use SetEnvIf with a regular expression)"},

	// Core directives with no effect in oidcgate.
	"acceptfilter":            {Status: Ignored, Reason: "kernel accept filters are a socket tuning"},
	"acceptpathinfo":          {Status: Ignored, Reason: "path info only matters to scripts and handlers, which are not run"},
	"accessfilename":          {Status: Ignored, Reason: whyNoHtacc},
	"allowoverride":           {Status: Ignored, Reason: whyNoHtacc},
	"allowoverridelist":       {Status: Ignored, Reason: whyNoHtacc},
	"cgimapextension":         {Status: Ignored, Reason: "Windows CGI interpreter mapping; no CGI scripts are run"},
	"cgipassauth":             {Status: Ignored, Reason: "no CGI scripts are run"},
	"cgivar":                  {Status: Ignored, Reason: "no CGI scripts are run"},
	"contentdigest":           {Status: Ignored, Reason: "Content-MD5 response headers are obsolete and not generated"},
	"defaulttype":             {Status: Ignored, Reason: "obsolete since Apache 2.3; it has no effect there either"},
	"enableexceptionhook":     {Status: Ignored, Reason: "Apache crash hooks; Go reports panics itself"},
	"enablemmap":              {Status: Ignored, Reason: "file I/O tuning"},
	"enablesendfile":          {Status: Ignored, Reason: "file I/O tuning; Go uses sendfile where it can"},
	"extendedstatus":          {Status: Ignored, Reason: "per-request scoreboard data for mod_status, which is not served"},
	"gprofdir":                {Status: Ignored, Reason: "profiling output of a gprof build"},
	"hostnamelookups":         {Status: Ignored, Reason: "client host names are not looked up (%h logs the address, as with HostnameLookups Off)", Notable: true},
	"limitinternalrecursion":  {Status: Ignored, Reason: "internal redirects are not made"},
	"limitxmlrequestbody":     {Status: Ignored, Reason: "XML request bodies are only parsed by WebDAV, which is not served"},
	"maxrangeoverlaps":        {Status: Ignored, Reason: "range requests are answered by Go's file server"},
	"maxrangereversals":       {Status: Ignored, Reason: "range requests are answered by Go's file server"},
	"maxranges":               {Status: Ignored, Reason: "range requests are answered by Go's file server"},
	"mutex":                   {Status: Ignored, Reason: "inter-process locks; oidcgate is one process"},
	"readbuffersize":          {Status: Ignored, Reason: "I/O buffer tuning"},
	"flushmaxpipelined":       {Status: Ignored, Reason: "I/O buffer tuning"},
	"flushmaxthreshold":       {Status: Ignored, Reason: "I/O buffer tuning"},
	"rlimitcpu":               {Status: Ignored, Reason: "resource limits of child processes; none are started"},
	"rlimitmem":               {Status: Ignored, Reason: "resource limits of child processes; none are started"},
	"rlimitnproc":             {Status: Ignored, Reason: "resource limits of child processes; none are started"},
	"scriptinterpretersource": {Status: Ignored, Reason: "Windows CGI interpreter lookup; no CGI scripts are run"},
	"seerequesttail":          {Status: Ignored, Reason: "mod_status display option"},
	"serverpath":              {Status: Unsupported, Reason: "legacy path-based virtual hosts for HTTP/1.0 clients are not supported", Critical: true},
	"sethandler":              {Status: Unsupported, Reason: "handlers (server-status, server-info, CGI, ...) are not run; only proxying, redirects and static files are served", Critical: true},
	"addoutputfilter":         {Status: Ignored, Reason: whyFilter},
	"addoutputfilterbytype":   {Status: Ignored, Reason: whyFilter},
	"setinputfilter":          {Status: Ignored, Reason: whyFilter},
	"setoutputfilter":         {Status: Ignored, Reason: whyFilter},
	"qsdefaultvalue":          {Status: Ignored, Reason: "query-string defaults for mod_negotiation"},
	"stricthostcheck":         {Status: Unsupported, Critical: true, Reason: "StrictHostCheck On is not honoured: a request whose Host names no virtual host is answered by the default virtual host instead of 400; remove it or give the default virtual host a Require all denied (Off, the default, is what oidcgate does)"},
	"registerhttpmethod":      {Status: Ignored, Reason: "any method token is accepted and forwarded"},
	"gracefulshutdowntimeout": {Status: Ignored, Reason: "a graceful stop (SIGWINCH, apachectl graceful-stop) waits for requests in flight up to oidcgate's own 30 s budget whatever this says (Apache's default 0 waits without limit); SIGTERM stops at once, as in Apache"},
	"scoreboardfile":          {Status: Ignored, Reason: whyMPM},
	"user":                    {Status: Ignored, Reason: "oidcgate runs as the user that starts it (the container's USER); it does not switch users"},
	"group":                   {Status: Ignored, Reason: "oidcgate runs as the user that starts it (the container's USER); it does not switch users"},
	"chrootdir":               {Status: Unsupported, Reason: "oidcgate does not chroot; run it in a container instead"},
	"suexec":                  {Status: Ignored, Reason: "no programs are executed"},
	"coredumpdirectory":       {Status: Ignored, Reason: whyMPM},

	// mod_ssl: what serving will honour.
	"sslengine": {Status: Supported}, "sslcertificatefile": {Status: Supported},
	"sslcertificatekeyfile": {Status: Supported}, "sslcertificatechainfile": {Status: Supported},
	"sslprotocol": {Status: Supported}, "sslciphersuite": {Status: Unsupported, Reason: "client-facing cipher suites are Go's crypto/tls defaults (TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305, and TLS 1.3), whatever this says; limit the versions with SSLProtocol, or terminate TLS in front of oidcgate if you need a specific list"},
	"sslhonorcipherorder": {Status: Ignored, Reason: "Go's crypto/tls orders cipher suites itself"},
	"sslcompression":      {Status: Ignored, Reason: "Go's crypto/tls never compresses (as SSLCompression off, the default)"},
	"sslsessiontickets":   {Status: Supported, Reason: "off issues no session tickets (TLS 1.2 and 1.3); on lets Go's crypto/tls issue them with keys it rotates itself"},
	// TLS towards https backends (proxy/backendtls.go; compat-tests'
	// TestHTTPSBackendDifferential compares them with Apache). Inside
	// <Proxy> they apply to the section's backends.
	"sslproxyengine":                 {Status: Supported},
	"sslproxyverify":                 {Status: Supported, Reason: "none and require; optional is treated as require, optional_no_ca as none"},
	"sslproxycacertificatefile":      {Status: Supported},
	"sslproxycacertificatepath":      {Status: Supported, Reason: "every PEM certificate in the directory's files is trusted (Apache finds them by their hash names)"},
	"sslproxycheckpeername":          {Status: Supported, Reason: "DNS names and the common name, as mod_ssl: an IP literal backend never matches an IP address SAN"},
	"sslproxycheckpeercn":            {Status: Supported, Reason: "consulted only with SSLProxyCheckPeerName Off, as Apache 2.4.71 does"},
	"sslproxycheckpeerexpire":        {Status: Supported},
	"sslproxyverifydepth":            {Status: Ignored, Reason: "the chain length towards backends is not limited"},
	"sslverifyclient":                {Status: Unsupported, Reason: "client certificate authentication is not implemented yet", Critical: true},
	"sslcacertificatefile":           {Status: Unsupported, Reason: "client certificate authentication is not implemented yet", Critical: true},
	"sslcacertificatepath":           {Status: Unsupported, Reason: "client certificate authentication is not implemented yet", Critical: true},
	"sslrequire":                     {Status: Unsupported, Reason: "client certificate authorization is not implemented", Critical: true},
	"sslrequiressl":                  {Status: Unsupported, Reason: "use Require expr or a separate https-only virtual host", Critical: true},
	"sslstrictsnivhostcheck":         {Status: Unsupported, Reason: "SSLStrictSNIVHostCheck On is not honoured: clients that send no SNI are answered (by the default virtual host's certificate) instead of refused; Off, the default, is what oidcgate does"},
	"sslproxymachinecertificatefile": {Status: Supported, Reason: "PEM certificates with their keys in the same file (a certificate without its key is left out, as Apache 2.4.71 does); the one sent is chosen by the backend's acceptable CAs as mod_ssl does (its issuer, else an issuer in its chain; none when nothing matches; the first when the backend names no CAs)"},
	"sslproxymachinecertificatepath": {Status: Supported, Reason: "every PEM file in the directory, each holding certificates and their keys"},

	// Versions, cipher suites and the client certificate's chain towards https backends
	// (proxy/backendtls_ext.go; compat-tests' TestHTTPSBackendClientTLS).
	"sslproxyprotocol":                    {Status: Supported, Reason: "as a range from the lowest to the highest version enabled (Go's crypto/tls takes a minimum and a maximum); unset, Go's default (TLS 1.2 and 1.3)"},
	"sslproxyciphersuite":                 {Status: Supported, Reason: "the TLS 1.2 suites named explicitly (OpenSSL names) that Go implements; lint reports names Go lacks (DHE, CAMELLIA, ARIA, CCM…) and aliases (HIGH, !aNULL, @SECLEVEL…), which are not evaluated: with aliases Go's default TLS 1.2 suites are offered, with no usable name only TLS 1.3. TLS 1.3 suites are Go's own (the TLSv1.3 form is accepted with a warning)"},
	"sslproxymachinecertificatechainfile": {Status: Supported, Reason: "the issuers found there are sent with each client certificate and count for the choice by acceptable CAs"},

	// mod_auth_openidc settings with no counterpart in oidcgate.
	"oidccachedir":               {Status: Ignored, Reason: "oidcgate has no file cache (OIDCCacheType file falls back to the in-memory cache); nothing is written to disk"},
	"oidccachefilecleaninterval": {Status: Ignored, Reason: "oidcgate has no file cache (OIDCCacheType file falls back to the in-memory cache); nothing is written to disk"},
	"oidctokenbindingpolicy":     {Status: Unsupported, Reason: "Token Binding (RFC 8471) is not implemented and no current browser sends it; with required or enforced mod_auth_openidc refuses clients oidcgate would let through — remove the directive or set it to disabled", Critical: true},

	// Upstream-only mod_auth_openidc directives (specs_oidc_head.go).
	"oidcdpopmode":              {Status: Unsupported, Reason: "DPoP-bound tokens are not implemented", Critical: true},
	"oidccertboundaccesstokens": {Status: Unsupported, Reason: "certificate-bound access tokens (RFC 8705) are not implemented", Critical: true},
	"oidcdebugmasksecrets":      {Status: Ignored, Reason: "oidcgate never logs secrets"},
	"oidcmetricsdata":           {Status: Unsupported, Reason: "mod_auth_openidc's metrics endpoint is not served"},
	"oidcmetricspublish":        {Status: Unsupported, Reason: "mod_auth_openidc's metrics endpoint is not served"},
	"oidcprofile":               {Status: Unsupported, Reason: "FAPI 2.0 profile enforcement is not implemented", Critical: true},
	"oidcproviderpushedauthorizationrequestendpoint": {Status: Unsupported, Reason: "pushed authorization requests (RFC 9126) are not implemented", Critical: true},
	"oidcprovidersignedjwksuri":                      {Status: Unsupported, Reason: "signed JWKS documents are not verified; use OIDCProviderJwksUri", Critical: true},
	"oidctraceparent":                                {Status: Ignored, Reason: "W3C traceparent headers towards the provider are not sent"},
	"oidcfilterclaimsexpr":                           {Status: Supported, Reason: "current upstream's filter, with gojq: after OIDCWhiteListedClaims/OIDCBlackListedClaims, on the id_token and on the userinfo claims (openid-connect only, as upstream); the backend, Require claim and the info hook see the result; a failing program or a non-object result leaves no claims of that kind (the remote user comes from the unfiltered id_token). Compiled at start-up: a program that does not compile is refused (upstream passes the claims unfiltered), %{...} references are refused (oidcgate filters when a session is read). New keys of a rebuilt object may be ordered differently than libjq orders them. Apache 2.4.12.3 does not know the directive: put it in <IfModule oidcgate.c>"},
	"oidcuserinfoclaimsexpr":                         {Status: Supported, Reason: "current upstream's per-directory filter, with gojq: an ap_expr string evaluated per request, run on the stored userinfo claims ({} when there are none); it changes only what OIDCPassUserInfoAs claims/json pass (openid-connect only, as upstream), not Require claim; a failing program or a non-object result passes no userinfo at all. A literal program that does not compile is refused at start-up; one built per request that does not compile passes no userinfo (upstream passes it unfiltered). Apache 2.4.12.3 does not know the directive: put it in <IfModule oidcgate.c>"},
	"oidcidtokenaudvalues":                           {Status: Supported, Reason: "current upstream's rule: an id_token aud string must be one of the values, an array must contain all of them and have no more elements (\"@\" is OIDCClientID); unset, 2.4.12.3's rule (aud contains OIDCClientID). Lines add up, as upstream's do. Apache 2.4.12.3 does not know the directive: put it in <IfModule oidcgate.c>"},
	// mod_auth_openidc's resource server (AuthType oauth20), served by
	// package oidc (oidc/rs_test.go, proxy/oauth_test.go).
	"oidcoauthintrospectionendpoint": {Status: Supported}, "oidcoauthclientid": {Status: Supported}, "oidcoauthclientsecret": {Status: Supported},
	"oidcoauthintrospectionendpointauth":          {Status: Supported, Reason: "client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt (OIDCPrivateKeyFiles, aud the introspection endpoint), bearer_access_token and none", Notable: true},
	"oidcoauthintrospectionclientauthbearertoken": {Status: Supported}, "oidcoauthintrospectionendpointmethod": {Status: Supported},
	"oidcoauthintrospectionendpointparams": {Status: Supported}, "oidcoauthintrospectiontokenparamname": {Status: Supported},
	"oidcoauthtokenexpiryclaim":           {Status: Supported},
	"oidcoauthtokenintrospectioninterval": {Status: Supported, Reason: "introspection results are cached in the session store under the token's SHA-256 (never the token), until the token's exp (60 s when the result has none)"},
	"oidcoauthsslvalidateserver":          {Status: Supported}, "oidcoauthremoteuserclaim": {Status: Supported},
	"oidcoauthaccepttokenas":             {Status: Supported, Reason: "header, post (access_token is removed from the body the backend gets), query, cookie[:name], basic, in the module's order; a duplicated access_token is refused (stricter, as current upstream); tokens over 16 KiB are refused"},
	"oidcoauthverifyjwksuri":             {Status: Supported, Reason: "keys are fetched again after OIDCJWKSRefreshInterval (3600 s) and when a token names an unknown kid"},
	"oidcoauthverifysharedkeys":          {Status: Supported, Reason: "HS256/384/512, [enc#kid#]key tuples (b64, b64url, hex, plain); the kid is not used to pick the key, every key is tried"},
	"oidcoauthverifycertfiles":           {Status: Supported, Reason: "PEM certificates or public keys ([kid#]file); every key is tried"},
	"oidcoauthverifyissuer":              {Status: Supported, Reason: "current upstream's check (trailing-slash tolerant); Apache 2.4.12.3 does not know the directive: put it in <IfModule oidcgate.c>. lint warns when local JWT validation has neither this nor OIDCOAuthVerifyAudience"},
	"oidcoauthverifyaudience":            {Status: Supported, Reason: "current upstream's check (aud string or array contains one value); Apache 2.4.12.3 does not know the directive: put it in <IfModule oidcgate.c>"},
	"oidcoauthservermetadataurl":         {Status: Supported, Reason: "RFC 8414 metadata (introspection_endpoint, jwks_uri, introspection_endpoint_auth_methods_supported) fetched on first use and kept OIDCProviderMetadataRefreshInterval (24 h by default) in memory"},
	"oidcoauthintrospectionendpointcert": {Status: Supported, Reason: "PEM certificate and key (ServerRoot-relative; the key may be in the certificate file; an encrypted key needs upstream's OIDCOAuthIntrospectionEndpointKeyPassword), presented to the introspection endpoint only; lint warns when they cannot be loaded (then every introspection fails)"},
	"oidcoauthintrospectionendpointkey":  {Status: Supported, Reason: "PEM certificate and key (ServerRoot-relative; the key may be in the certificate file; an encrypted key needs upstream's OIDCOAuthIntrospectionEndpointKeyPassword), presented to the introspection endpoint only; lint warns when they cannot be loaded (then every introspection fails)"},
	"oidcoauthdecryptsharedkeys":         {Status: Supported, Reason: "current upstream's directive (Apache 2.4.12.3 does not know it: put it in <IfModule oidcgate.c>): [sig:|enc:] and (plain|b64|b64url|hex)#[kid]#key, kid#key or key; a JWE bearer token with a kid is decrypted with that key only. Without it, as in 2.4.12.3, OIDCClientSecret's bytes are the symmetric key; OIDCPrivateKeyFiles' keys always. " + whyJWE},

	"oidcoauthintrospectionendpointkeypassword": {Status: Supported, Reason: "current upstream's directive (Apache 2.4.12.3 does not know it: put it in <IfModule oidcgate.c>): the password of an encrypted OIDCOAuthIntrospectionEndpointKey, read as OIDCClientTokenEndpointKeyPassword is; " + execNote},

	// CGI through mod_alias.
	"scriptalias":      {Status: Unsupported, Reason: whyScripts, Critical: true},
	"scriptaliasmatch": {Status: Unsupported, Reason: whyScripts, Critical: true},
	"ssloptions":       {Status: Ignored, Reason: "SSL environment variables and client-certificate options; oidcgate exports no SSL_* variables yet", Notable: true},

	// mod_status's directive lives in mod_proxy's status hook.
	"proxystatus":     {Status: Ignored, Reason: "balancer details on the server-status page, which is not served"},
	"proxyhtmllinks":  {Status: Unsupported, Reason: "HTML bodies are not rewritten; make the backend emit correct links"},
	"proxyhtmlevents": {Status: Unsupported, Reason: "HTML bodies are not rewritten; make the backend emit correct links"},
}

func lower(s string) string { return strings.ToLower(s) }

// policyFor decides a spec's status.
func policyFor(s Spec) policy {
	if p, ok := directivePolicy[lower(s.Name)]; ok {
		return p
	}
	if p, ok := modulePolicy[s.Module]; ok {
		return p
	}
	return policy{Status: Unsupported, Reason: s.Module + " is not implemented by oidcgate", Critical: true}
}

// withPolicy returns the generated specs with statuses and checks applied.
func withPolicy(specs []Spec) []Spec {
	out := make([]Spec, len(specs))
	for i, s := range specs {
		p := policyFor(s)
		s.Status, s.Reason, s.Notable, s.Critical = p.Status, p.Reason, p.Notable, p.Critical
		s.Check |= measuredChecks[lower(s.Name)]
		out[i] = s
	}
	return out
}

// execNote is how the exec: values of OIDCCryptoPassphrase,
// OIDCClientTokenEndpointKeyPassword and OIDCClientSecret are read.
const execNote = "exec:program args is run when the configuration is read and at every reload, as mod_auth_openidc runs it (words split as apr_tokenize_to_argv splits them, the program ServerRoot-relative, no shell, an empty environment, its own directory as working directory; the value is its first line of output, up to \\n or \\r; empty output, or a program that cannot run, is refused with the module's message); unlike Apache, oidcgate gives up after 30 s"
