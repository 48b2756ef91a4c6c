package apacheconf

import (
	"crypto/tls"
	"strings"
)

// openSSLCipherNames maps OpenSSL's names of the TLS 1.2 cipher suites Go's
// crypto/tls implements (RC4 left out: OpenSSL 3 has none) to their IDs.
var openSSLCipherNames = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	"ECDHE-ECDSA-AES128-SHA256":     tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-RSA-AES128-SHA256":       tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	"AES128-GCM-SHA256":             tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	"AES256-GCM-SHA384":             tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	"AES128-SHA":                    tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	"AES256-SHA":                    tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	"AES128-SHA256":                 tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
	"DES-CBC3-SHA":                  tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
	"ECDHE-RSA-DES-CBC3-SHA":        tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
}

// CipherList is an OpenSSL cipher string (SSLProxyCipherSuite) as far as
// Go can follow it.
type CipherList struct {
	// Suites are the TLS 1.2 suites named explicitly that Go implements,
	// in order, less those removed with '!' or '-'. Names are OpenSSL's:
	// OpenSSL 3 does not take the IANA names (TLS_ECDHE_…) there.
	Suites []uint16
	// Unknown are explicit names Go does not implement (DHE, CAMELLIA,
	// ARIA, CCM, PSK…); Aliases the words that select by property (HIGH,
	// DEFAULT, aRSA, !aNULL, @SECLEVEL=2…), which oidcgate does not
	// evaluate.
	Unknown, Aliases []string
}

// ParseCipherList reads an OpenSSL cipher string: items separated by
// ':', ',' or spaces; '!' and '-' remove, '+' reorders (ignored here).
func ParseCipherList(s string) CipherList {
	var cl CipherList
	lookup := func(name string) (uint16, bool) {
		id, ok := openSSLCipherNames[name]
		return id, ok
	}
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		op := byte(0)
		if item[0] == '!' || item[0] == '-' || item[0] == '+' {
			op, item = item[0], item[1:]
		}
		if item == "" {
			continue
		}
		id, known := lookup(item)
		isName := known || strings.Contains(item, "-") || strings.HasPrefix(item, "TLS_")
		switch {
		case !isName || strings.Contains(item, "+") || item[0] == '@':
			prefix := ""
			if op != 0 {
				prefix = string(op)
			}
			cl.Aliases = append(cl.Aliases, prefix+item)
		case !known:
			if op == 0 {
				cl.Unknown = append(cl.Unknown, item)
			}
		case op == '!' || op == '-':
			out := cl.Suites[:0]
			for _, x := range cl.Suites {
				if x != id {
					out = append(out, x)
				}
			}
			cl.Suites = out
		case op == 0:
			dup := false
			for _, x := range cl.Suites {
				dup = dup || x == id
			}
			if !dup {
				cl.Suites = append(cl.Suites, id)
			}
		}
	}
	return cl
}

// lintProxyCipherList reports what of an SSLProxyCipherSuite string
// oidcgate cannot follow (proxy/backendtls_ext.go applies the rest).
func lintProxyCipherList(c *walkCtx, n *Node, suite string) {
	cl := ParseCipherList(suite)
	if len(cl.Aliases) > 0 {
		c.warnf(n, "name the suites explicitly (for example ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256) to have them honoured",
			"%s: OpenSSL cipher aliases (%s) are not evaluated; Go's default TLS 1.2 suites are offered to backends", c.Spec.Name, strings.Join(cl.Aliases, ":"))
		return
	}
	if len(cl.Unknown) > 0 {
		c.warnf(n, "Go's crypto/tls does not implement them",
			"%s: %s not offered to backends", c.Spec.Name, strings.Join(cl.Unknown, ":"))
	}
	if len(cl.Suites) == 0 {
		c.warnf(n, "", "%s names no TLS 1.2 suite Go implements: only TLS 1.3 is offered to backends", c.Spec.Name)
	}
}
