package apacheconf

import (
	"fmt"
	"strings"
)

// SSLCRLCheck is SSLProxyCARevocationCheck (and SSLCARevocationCheck):
// which certificates of a chain must pass the CRLs.
type SSLCRLCheck struct {
	// Mode is "none" (default), "leaf" or "chain".
	Mode string
	// NoCRLForCertOK is the no_crl_for_cert_ok flag: a certificate whose
	// issuer has no CRL passes (otherwise it fails).
	NoCRLForCertOK bool
}

// compileSSLCRLCheck is ssl_cmd_crlcheck_parse: a mode (any case), then
// flags; anything else is "Invalid argument".
func compileSSLCRLCheck(c *walkCtx, n *Node) {
	words := n.Strings()
	if len(words) == 0 {
		c.errorf(n, "", "%s: Invalid argument ''", c.Spec.Name)
		return
	}
	mode := strings.ToLower(words[0])
	if mode != "none" && mode != "leaf" && mode != "chain" {
		c.errorf(n, "none, leaf or chain, optionally followed by no_crl_for_cert_ok", "%s: Invalid argument '%s'", c.Spec.Name, words[0])
		return
	}
	chk := &SSLCRLCheck{Mode: mode}
	for _, w := range words[1:] {
		if !strings.EqualFold(w, "no_crl_for_cert_ok") {
			c.errorf(n, "the only flag is no_crl_for_cert_ok", "%s: Invalid argument '%s'", c.Spec.Name, w)
			return
		}
		chk.NoCRLForCertOK = true
	}
	if strings.EqualFold(c.Spec.Name, "SSLProxyCARevocationCheck") {
		c.sslServer().ProxyCARevocationCheck = chk
	}
}

// CheckSSLProxyCRL is mod_ssl's start-up warning AH01902: a server with
// SSLProxyCARevocationFile/Path but without SSLProxyCARevocationCheck
// leaf or chain loads the CRLs and never consults them.
func CheckSSLProxyCRL(cfg *Config) Diagnostics {
	var out Diagnostics
	for _, srv := range append([]*Server{cfg.Main}, cfg.VHosts...) {
		s := srv.SSL
		if s == nil || (s.ProxyCARevocationFile == nil && s.ProxyCARevocationPath == nil) {
			continue
		}
		if c := s.ProxyCARevocationCheck; c != nil && c.Mode != "none" {
			continue
		}
		p := s.ProxyCARevocationFile
		if p == nil {
			p = s.ProxyCARevocationPath
		}
		name, port := srv.Name, srv.NamePort
		if name == "" && cfg.Main != nil {
			name = cfg.Main.Name
		}
		if port == 0 {
			port = 80
		}
		out = append(out, Diagnostic{Severity: SevWarning, Stage: StageCheck, Pos: p.Pos, Directive: "SSLProxyCARevocationCheck", Code: "AH01902",
			Msg:  fmt.Sprintf("Host %s:%d: X.509 CRL storage locations configured, but CRL checking (SSLProxyCARevocationCheck) is not enabled", name, port),
			Hint: "add SSLProxyCARevocationCheck chain (or leaf) to have backend certificates checked against the CRLs"})
	}
	return out
}
