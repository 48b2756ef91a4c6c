// Package proxy serves a compiled apacheconf.Config the way Apache httpd
// would: listeners, virtual host selection, Apache's URI normalisation,
// the per-request section merge, mod_proxy forwarding and the response
// phases. This version holds the request-independent building blocks
// (URI normalisation, virtual host selection); the pipeline is being built
// on top of them.
package proxy
