package apacheconf

import (
	"os"
	"path/filepath"
	"strings"
)

// mod_ssl: the server's TLS (SSLEngine, certificates, protocols, cipher
// suites, client verification) and TLS towards backends (SSLProxy*).
// Values are checked as ssl_engine_config.c checks them; messages were
// recorded from Debian's apache2 -t (2.4.71 with OpenSSL 3). Directives
// without a handler here (session caches, random seeds, OCSP, stapling)
// are accepted by their registry status only.

var sslHandlers = map[string]handler{
	"sslengine":                      compileSSLEngine,
	"sslcertificatefile":             compileSSLFile,
	"sslcertificatekeyfile":          compileSSLFile,
	"sslcertificatechainfile":        compileSSLFile,
	"sslcacertificatefile":           compileSSLFile,
	"sslcacertificatepath":           compileSSLFile,
	"sslcarevocationfile":            compileSSLFile,
	"sslcarevocationpath":            compileSSLFile,
	"sslproxycacertificatefile":      compileSSLFile,
	"sslproxycacertificatepath":      compileSSLFile,
	"sslproxymachinecertificatefile": compileSSLFile,
	"sslprotocol":                    compileSSLProtocol,
	"sslproxyprotocol":               compileSSLProtocol,
	"sslciphersuite":                 compileSSLCipherSuite,
	"sslproxyciphersuite":            compileSSLCipherSuite,
	"sslverifyclient":                compileSSLVerify,
	"sslproxyverify":                 compileSSLVerify,
	"sslverifydepth":                 compileSSLVerifyDepth,
	"sslproxyverifydepth":            compileSSLVerifyDepth,
	"sslsessioncachetimeout":         compileSSLSessionCacheTimeout,
	"ssloptions":                     compileSSLOptions,
	"sslproxyengine":                 compileSSLFlag,
	"sslproxycheckpeername":          compileSSLFlag,
	"sslproxycheckpeercn":            compileSSLFlag,
	"sslproxycheckpeerexpire":        compileSSLFlag,
	"sslhonorcipherorder":            compileSSLFlag,
	"sslsessiontickets":              compileSSLFlag,
	"sslstrictsnivhostcheck":         compileSSLFlag,

	// client certificates and CRLs towards backends (mod_ssl_crl.go,
	// proxy/backendtls_ext.go)
	"sslproxymachinecertificatepath":      compileSSLFile,
	"sslproxymachinecertificatechainfile": compileSSLFile,
	"sslproxycarevocationfile":            compileSSLFile,
	"sslproxycarevocationpath":            compileSSLFile,
	"sslproxycarevocationcheck":           compileSSLCRLCheck,
}

// SSLProtocols is a set of TLS protocol versions (SSLProtocol,
// SSLProxyProtocol).
type SSLProtocols uint8

// The protocol bits, as mod_ssl numbers them.
const (
	ProtoTLS1 SSLProtocols = 1 << (iota + 1)
	ProtoTLS11
	ProtoTLS12
	ProtoTLS13
	// ProtoAll is "all": every version OpenSSL 3 offers (SSLv3 is gone).
	ProtoAll = ProtoTLS1 | ProtoTLS11 | ProtoTLS12 | ProtoTLS13
)

// DefaultSSLProtocols is mod_ssl's default when SSLProtocol is not given
// ("all -SSLv3", which is also what Debian's ssl.conf writes).
const DefaultSSLProtocols = ProtoAll

// Versions returns the lowest and highest TLS versions in the set, as
// crypto/tls numbers them (0x0301 = TLS 1.0 … 0x0304 = TLS 1.3), and
// whether the set is contiguous (Go can only express a min/max range).
// An empty set returns ok false.
func (p SSLProtocols) Versions() (min, max uint16, ok bool) {
	var seen []uint16
	for i, bit := range []SSLProtocols{ProtoTLS1, ProtoTLS11, ProtoTLS12, ProtoTLS13} {
		if p&bit != 0 {
			seen = append(seen, uint16(0x0301+i))
		}
	}
	if len(seen) == 0 {
		return 0, 0, false
	}
	min, max = seen[0], seen[len(seen)-1]
	return min, max, int(max-min)+1 == len(seen)
}

// SSLVerifyMode is SSLVerifyClient / SSLProxyVerify.
type SSLVerifyMode uint8

const (
	VerifyNone SSLVerifyMode = iota + 1
	VerifyOptional
	VerifyRequire
	VerifyOptionalNoCA
)

// SSLPath is a certificate, key or CA file or directory, resolved against
// ServerRoot as Apache's ap_server_root_relative does.
type SSLPath struct {
	Pos  Pos
	Path string
}

// SSLServer holds mod_ssl's per-server settings. Unless a field says
// otherwise, a virtual host's value wins when it sets one, else the main
// server's applies (mod_ssl's cfgMerge).
type SSLServer struct {
	// Engine is SSLEngine: nil unset (off), true on. "Optional" is
	// accepted with Apache's notice and means off.
	Engine    *bool
	EnginePos Pos
	// CertFiles / KeyFiles are SSLCertificateFile / SSLCertificateKeyFile
	// in order (one per key type). Merge: the vhost's first three replace
	// the main server's first ones, the rest are appended (mod_ssl's
	// certkeys merge, PR 56306).
	CertFiles []SSLPath
	KeyFiles  []SSLPath
	// ChainFile is SSLCertificateChainFile (deprecated; certificates after
	// the first in CertFiles do the same).
	ChainFile *SSLPath
	// Protocols is SSLProtocol; nil means DefaultSSLProtocols.
	Protocols *SSLProtocols
	// CipherSuite is SSLCipherSuite for TLS ≤ 1.2 as written (OpenSSL cipher
	// string; Apache appends ":!aNULL:!eNULL:!EXP"), "" when unset. Go's
	// crypto/tls only takes explicit suite names, so serving maps the names
	// it knows and otherwise keeps Go's defaults (which exclude what the
	// usual strings exclude). TLS13Ciphers is "SSLCipherSuite TLSv1.3 …",
	// which Go does not allow configuring.
	CipherSuite  string
	TLS13Ciphers string
	// HonorCipherOrder, SessionTickets, StrictSNIVHostCheck: nil unset.
	HonorCipherOrder    *bool
	SessionTickets      *bool
	StrictSNIVHostCheck *bool
	// SessionCacheTimeout is SSLSessionCacheTimeout in seconds; nil unset
	// (Apache: 300).
	SessionCacheTimeout *int
	// VerifyClient and VerifyDepth are the server-level SSLVerifyClient and
	// SSLVerifyDepth (default none, depth 1); CACertificateFile/Path the
	// client CAs.
	VerifyClient      *SSLVerifyMode
	VerifyDepth       *int
	CACertificateFile *SSLPath
	CACertificatePath *SSLPath

	// Towards backends. ProxyEngine is SSLProxyEngine (default Off: https
	// backends are refused by Apache without it); ProxyVerify default none;
	// ProxyCheckPeer* default On; ProxyProtocols nil means the default.
	ProxyEngine                 *bool
	ProxyVerify                 *SSLVerifyMode
	ProxyVerifyDepth            *int
	ProxyCACertificateFile      *SSLPath
	ProxyCACertificatePath      *SSLPath
	ProxyMachineCertificateFile *SSLPath
	ProxyCheckPeerName          *bool
	ProxyCheckPeerCN            *bool
	ProxyCheckPeerExpire        *bool
	ProxyProtocols              *SSLProtocols
	ProxyCipherSuite            string
	ProxyTLS13Ciphers           string

	// ProxyMachineCertificatePath and ProxyMachineCertificateChainFile are
	// SSLProxyMachineCertificatePath and …ChainFile: client certificates
	// towards backends (each PEM file: certificates and their keys) and
	// the issuers sent along with them.
	ProxyMachineCertificatePath      *SSLPath
	ProxyMachineCertificateChainFile *SSLPath
	// ProxyCARevocationFile/Path are the backend CRLs;
	// ProxyCARevocationCheck is SSLProxyCARevocationCheck (nil: none).
	ProxyCARevocationFile  *SSLPath
	ProxyCARevocationPath  *SSLPath
	ProxyCARevocationCheck *SSLCRLCheck
}

// MergeVHost returns the settings of a virtual host: vh on top of main,
// with mod_ssl's ssl_config_server_merge rules.
func (main *SSLServer) MergeVHost(vh *SSLServer) *SSLServer {
	if vh == nil {
		return main
	}
	if main == nil {
		return vh
	}
	out := *vh
	pick := func(dst **bool, base *bool) {
		if *dst == nil {
			*dst = base
		}
	}
	if out.Engine == nil {
		out.Engine, out.EnginePos = main.Engine, main.EnginePos
	}
	pick(&out.HonorCipherOrder, main.HonorCipherOrder)
	pick(&out.SessionTickets, main.SessionTickets)
	pick(&out.StrictSNIVHostCheck, main.StrictSNIVHostCheck)
	pick(&out.ProxyEngine, main.ProxyEngine)
	pick(&out.ProxyCheckPeerName, main.ProxyCheckPeerName)
	pick(&out.ProxyCheckPeerCN, main.ProxyCheckPeerCN)
	pick(&out.ProxyCheckPeerExpire, main.ProxyCheckPeerExpire)
	for _, p := range []struct{ dst, base **SSLPath }{
		{&out.ChainFile, &main.ChainFile}, {&out.CACertificateFile, &main.CACertificateFile},
		{&out.CACertificatePath, &main.CACertificatePath}, {&out.ProxyCACertificateFile, &main.ProxyCACertificateFile},
		{&out.ProxyCACertificatePath, &main.ProxyCACertificatePath}, {&out.ProxyMachineCertificateFile, &main.ProxyMachineCertificateFile},
		{&out.ProxyMachineCertificatePath, &main.ProxyMachineCertificatePath}, {&out.ProxyMachineCertificateChainFile, &main.ProxyMachineCertificateChainFile},
		{&out.ProxyCARevocationFile, &main.ProxyCARevocationFile}, {&out.ProxyCARevocationPath, &main.ProxyCARevocationPath},
	} {
		if *p.dst == nil {
			*p.dst = *p.base
		}
	}
	for _, p := range []struct{ dst, base **int }{
		{&out.SessionCacheTimeout, &main.SessionCacheTimeout}, {&out.VerifyDepth, &main.VerifyDepth}, {&out.ProxyVerifyDepth, &main.ProxyVerifyDepth},
	} {
		if *p.dst == nil {
			*p.dst = *p.base
		}
	}
	if out.ProxyCARevocationCheck == nil {
		out.ProxyCARevocationCheck = main.ProxyCARevocationCheck
	}
	for _, p := range []struct{ dst, base **SSLVerifyMode }{{&out.VerifyClient, &main.VerifyClient}, {&out.ProxyVerify, &main.ProxyVerify}} {
		if *p.dst == nil {
			*p.dst = *p.base
		}
	}
	for _, p := range []struct{ dst, base **SSLProtocols }{{&out.Protocols, &main.Protocols}, {&out.ProxyProtocols, &main.ProxyProtocols}} {
		if *p.dst == nil {
			*p.dst = *p.base
		}
	}
	for _, p := range []struct{ dst, base *string }{
		{&out.CipherSuite, &main.CipherSuite}, {&out.TLS13Ciphers, &main.TLS13Ciphers},
		{&out.ProxyCipherSuite, &main.ProxyCipherSuite}, {&out.ProxyTLS13Ciphers, &main.ProxyTLS13Ciphers},
	} {
		if *p.dst == "" {
			*p.dst = *p.base
		}
	}
	out.CertFiles = mergeCertKeys(main.CertFiles, vh.CertFiles)
	out.KeyFiles = mergeCertKeys(main.KeyFiles, vh.KeyFiles)
	return &out
}

// certKeysIdxMax is mod_ssl's CERTKEYS_IDX_MAX with ECC support.
const certKeysIdxMax = 2

// mergeCertKeys is modssl_ctx_cfg_merge_certkeys_array: the first
// entries of add knock out base's, the rest of base follows, then the
// rest of add.
func mergeCertKeys(base, add []SSLPath) []SSLPath {
	var out []SSLPath
	i := 0
	for ; i < len(add) && i <= certKeysIdxMax; i++ {
		out = append(out, add[i])
	}
	for j := i; j < len(base); j++ {
		out = append(out, base[j])
	}
	for j := certKeysIdxMax + 1; j < len(add); j++ {
		out = append(out, add[j])
	}
	return out
}

func (c *walkCtx) sslServer() *SSLServer {
	// Inside <Proxy>/<ProxyMatch> (where only the SSLProxy* directives are
	// allowed) the settings belong to the section's backends.
	if c.Sec != nil && (c.Sec.Kind == SecProxy || c.Sec.Kind == SecProxyMatch) {
		if c.Dir.SSLProxy == nil {
			c.Dir.SSLProxy = &SSLServer{}
		}
		return c.Dir.SSLProxy
	}
	if c.Srv.SSL == nil {
		c.Srv.SSL = &SSLServer{}
	}
	return c.Srv.SSL
}

func compileSSLEngine(c *walkCtx, n *Node) {
	on := false
	switch strings.ToLower(n.Args[0].Text) {
	case "on":
		on = true
	case "off":
	case "optional":
		c.warnf(n, "RFC 2817 upgrades to TLS are not supported; this virtual host serves plain HTTP",
			"AH10510: 'SSLEngine optional' is no longer supported")
	default:
		c.errorf(n, "", "Argument must be On or Off")
		return
	}
	s := c.sslServer()
	s.Engine, s.EnginePos = &on, n.Pos
}

// checkSSLPath is ssl_cmd_check_file / ssl_cmd_check_dir.
func (c *walkCtx) checkSSLPath(n *Node, isDir bool) (SSLPath, bool) {
	p := n.Args[0].Text
	if !filepath.IsAbs(p) {
		p = strings.TrimSuffix(c.ServerRoot, "/") + "/" + p
	}
	st, err := os.Stat(p)
	if isDir {
		if err != nil || !st.IsDir() {
			c.errorf(n, "", "%s: directory '%s' does not exist", c.Spec.Name, p)
			return SSLPath{}, false
		}
	} else if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		c.errorf(n, "", "%s: file '%s' does not exist or is empty", c.Spec.Name, p)
		return SSLPath{}, false
	}
	return SSLPath{Pos: n.Pos, Path: p}, true
}

func compileSSLFile(c *walkCtx, n *Node) {
	name := strings.ToLower(c.Spec.Name)
	if strings.HasPrefix(n.Args[0].Text, "pkcs11:") && (name == "sslcertificatefile" || name == "sslcertificatekeyfile") {
		c.errorf(n, "oidcgate reads certificates and keys from PEM files only", "%s: PKCS#11 URIs are not supported", c.Spec.Name)
		return
	}
	sp, ok := c.checkSSLPath(n, strings.HasSuffix(name, "path"))
	if !ok {
		return
	}
	inProxy := c.Sec != nil && (c.Sec.Kind == SecProxy || c.Sec.Kind == SecProxyMatch)
	if c.Sec != nil && !(inProxy && strings.HasPrefix(name, "sslproxy")) {
		// Only the CA directives get here (the others are server-only);
		// the SSLProxy* ones are per-backend settings in <Proxy>.
		c.errorf(n, "set the CA for the whole virtual host", "Your SSL library does not have support for per-directory CA")
		return
	}
	s := c.sslServer()
	switch name {
	case "sslcertificatefile":
		s.CertFiles = append(s.CertFiles, sp)
	case "sslcertificatekeyfile":
		s.KeyFiles = append(s.KeyFiles, sp)
	case "sslcertificatechainfile":
		s.ChainFile = &sp
	case "sslcacertificatefile":
		s.CACertificateFile = &sp
	case "sslcacertificatepath":
		s.CACertificatePath = &sp
	case "sslproxycacertificatefile":
		s.ProxyCACertificateFile = &sp
	case "sslproxycacertificatepath":
		s.ProxyCACertificatePath = &sp
	case "sslproxymachinecertificatefile":
		s.ProxyMachineCertificateFile = &sp
	case "sslproxymachinecertificatepath":
		s.ProxyMachineCertificatePath = &sp
	case "sslproxymachinecertificatechainfile":
		s.ProxyMachineCertificateChainFile = &sp
	case "sslproxycarevocationfile":
		s.ProxyCARevocationFile = &sp
	case "sslproxycarevocationpath":
		s.ProxyCARevocationPath = &sp
	}
}

// parseSSLProtocol is ssl_cmd_protocol_parse for OpenSSL 3: it returns the
// set, the warnings Apache logs and the error message ("" when valid).
func parseSSLProtocol(directive string, words []string) (SSLProtocols, []string, string) {
	var set SSLProtocols
	var warns []string
	for _, w := range words {
		action := byte(0)
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
		}
		var bit SSLProtocols
		switch w {
		case "SSLv2":
			if action == '-' {
				continue
			}
			return 0, warns, "SSLProtocol: SSLv2 is no longer supported"
		case "SSLv3":
			if action == '-' {
				continue
			}
			return 0, warns, "SSLv3 not supported by this version of OpenSSL"
		case "TLSv1":
			bit = ProtoTLS1
		case "TLSv1.1":
			bit = ProtoTLS11
		case "TLSv1.2":
			bit = ProtoTLS12
		case "TLSv1.3":
			bit = ProtoTLS13
		case "all":
			bit = ProtoAll
		default:
			return 0, warns, directive + ": Illegal protocol '" + w + "'"
		}
		switch action {
		case '-':
			set &^= bit
		case '+':
			set |= bit
		default:
			if set != 0 {
				warns = append(warns, "AH02532: "+directive+": Protocol '"+w+"' overrides already set parameter(s). Check if a +/- prefix is missing.")
			}
			set = bit
		}
	}
	return set, warns, ""
}

func compileSSLProtocol(c *walkCtx, n *Node) {
	set, warns, msg := parseSSLProtocol(c.Spec.Name, n.Strings())
	for _, w := range warns {
		c.warnf(n, "", "%s", w)
	}
	if msg != "" {
		c.errorf(n, "write for example: "+c.Spec.Name+" -all +TLSv1.2 +TLSv1.3", "%s", msg)
		return
	}
	if _, _, ok := set.Versions(); !ok && set != 0 {
		c.warnf(n, "Go's crypto/tls takes a minimum and maximum version; the versions in between are enabled too",
			"%s enables a non-contiguous set of TLS versions", c.Spec.Name)
	}
	s := c.sslServer()
	if strings.EqualFold(c.Spec.Name, "SSLProxyProtocol") {
		s.ProxyProtocols = &set
	} else {
		s.Protocols = &set
	}
}

func compileSSLCipherSuite(c *walkCtx, n *Node) {
	proto, suite := "SSL", n.Args[0].Text
	if len(n.Args) == 2 {
		proto, suite = n.Args[0].Text, n.Args[1].Text
	}
	proxy := strings.EqualFold(c.Spec.Name, "SSLProxyCipherSuite")
	switch proto {
	case "SSL":
		inProxy := c.Sec != nil && (c.Sec.Kind == SecProxy || c.Sec.Kind == SecProxyMatch)
		if c.Sec != nil && !(proxy && inProxy) {
			c.warnf(n, "per-directory cipher suites need TLS renegotiation, which Go does not do; the server's suites apply",
				"%s inside a section is not honoured", c.Spec.Name)
			return
		}
		if proxy {
			c.sslServer().ProxyCipherSuite = suite
			lintProxyCipherList(c, n, suite)
		} else {
			c.sslServer().CipherSuite = suite
		}
	case "TLSv1.3":
		if c.Sec != nil && !proxy {
			c.errorf(n, "", "TLSv1.3 ciphers cannot be set inside a directory context")
			return
		}
		c.warnf(n, "Go's crypto/tls always offers its own TLS 1.3 suites", "TLS 1.3 cipher suites cannot be configured in oidcgate")
		if proxy {
			c.sslServer().ProxyTLS13Ciphers = suite
		} else {
			c.sslServer().TLS13Ciphers = suite
		}
	default:
		c.errorf(n, "the optional first argument is SSL or TLSv1.3", "protocol '%s' not supported", proto)
	}
}

func compileSSLVerify(c *walkCtx, n *Node) {
	var m SSLVerifyMode
	switch n.Args[0].Text {
	case "none", "off":
		m = VerifyNone
	case "optional":
		m = VerifyOptional
	case "require", "on":
		m = VerifyRequire
	case "optional_no_ca":
		m = VerifyOptionalNoCA
	default:
		c.errorf(n, "", "%s: Invalid argument '%s'", c.Spec.Name, n.Args[0].Text)
		return
	}
	if strings.EqualFold(c.Spec.Name, "SSLProxyVerify") {
		c.sslServer().ProxyVerify = &m
		return
	}
	if c.Sec != nil {
		if m != VerifyNone {
			c.warnf(n, "per-directory client verification needs TLS renegotiation; set SSLVerifyClient for the virtual host",
				"SSLVerifyClient inside a section is not honoured")
		}
		return
	}
	c.sslServer().VerifyClient = &m
}

func compileSSLVerifyDepth(c *walkCtx, n *Node) {
	arg := n.Args[0].Text
	d := cAtoi(arg)
	if d < 0 {
		c.errorf(n, "", "%s: Invalid argument '%s'", c.Spec.Name, arg)
		return
	}
	if strings.EqualFold(c.Spec.Name, "SSLProxyVerifyDepth") {
		c.sslServer().ProxyVerifyDepth = &d
	} else if c.Sec == nil {
		c.sslServer().VerifyDepth = &d
	}
}

// cAtoi is C's atoi: optional space and sign, then digits; 0 when none.
func cAtoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	v := atoi(s)
	if neg {
		return -v
	}
	return v
}

func compileSSLSessionCacheTimeout(c *walkCtx, n *Node) {
	v := cAtoi(n.Args[0].Text)
	if v < 0 {
		c.errorf(n, "", "SSLSessionCacheTimeout: Invalid argument")
		return
	}
	c.sslServer().SessionCacheTimeout = &v
}

// sslOptionNames are the options SSLOptions accepts (case-sensitive).
var sslOptionNames = map[string]bool{
	"StdEnvVars": true, "ExportCertData": true, "FakeBasicAuth": true,
	"StrictRequire": true, "OptRenegotiate": true, "LegacyDNStringFormat": true,
}

// compileSSLOptions only validates: the options concern CGI variables and
// client certificates, which oidcgate does not expose.
func compileSSLOptions(c *walkCtx, n *Node) {
	for _, w := range n.Strings() {
		name := w
		if name != "" && (name[0] == '+' || name[0] == '-') {
			name = name[1:]
		}
		if !sslOptionNames[name] {
			c.errorf(n, "known options: StdEnvVars, ExportCertData, FakeBasicAuth, StrictRequire, OptRenegotiate, LegacyDNStringFormat",
				"SSLOptions: Illegal option '%s'", name)
			return
		}
	}
}

func compileSSLFlag(c *walkCtx, n *Node) {
	v := flag(n)
	s := c.sslServer()
	switch strings.ToLower(c.Spec.Name) {
	case "sslproxyengine":
		s.ProxyEngine = &v
	case "sslproxycheckpeername":
		s.ProxyCheckPeerName = &v
	case "sslproxycheckpeercn":
		s.ProxyCheckPeerCN = &v
	case "sslproxycheckpeerexpire":
		s.ProxyCheckPeerExpire = &v
	case "sslhonorcipherorder":
		s.HonorCipherOrder = &v
	case "sslsessiontickets":
		s.SessionTickets = &v
	case "sslstrictsnivhostcheck":
		s.StrictSNIVHostCheck = &v
	}
}
