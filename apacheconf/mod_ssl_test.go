package apacheconf

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSSLErrors: messages recorded from Debian's apache2 -t.
func TestSSLErrors(t *testing.T) {
	tests := []struct{ conf, want string }{
		{"SSLProtocol SSLv3", "SSLv3 not supported by this version of OpenSSL"},
		{"SSLProtocol TLSv9", "SSLProtocol: Illegal protocol 'TLSv9'"},
		{"SSLProtocol TLSv1.2 +SSLv2", "SSLProtocol: SSLv2 is no longer supported"},
		{"SSLProxyProtocol tlsv1.2", "SSLProxyProtocol: Illegal protocol 'tlsv1.2'"},
		{"SSLEngine maybe", "Argument must be On or Off"},
		{"SSLCertificateFile /nonexist", "SSLCertificateFile: file '/nonexist' does not exist or is empty"},
		{"SSLCertificateFile rel.pem", "SSLCertificateFile: file '@ROOT@/rel.pem' does not exist or is empty"},
		{"SSLCertificateKeyFile empty.pem", "SSLCertificateKeyFile: file '@ROOT@/empty.pem' does not exist or is empty"},
		{"SSLCACertificatePath /nonexist", "SSLCACertificatePath: directory '/nonexist' does not exist"},
		{"SSLVerifyClient x", "SSLVerifyClient: Invalid argument 'x'"},
		{"SSLProxyVerify Require", "SSLProxyVerify: Invalid argument 'Require'"},
		{"SSLCipherSuite TLSv1.4 X", "protocol 'TLSv1.4' not supported"},
		{"SSLOptions +Foo", "SSLOptions: Illegal option 'Foo'"},
		{"SSLProxyVerifyDepth -1", "SSLProxyVerifyDepth: Invalid argument '-1'"},
		{"SSLSessionCacheTimeout -5", "SSLSessionCacheTimeout: Invalid argument"},
		{"<Location /x>\nSSLCipherSuite TLSv1.3 X\n</Location>", "TLSv1.3 ciphers cannot be set inside a directory context"},
		{"<Location /x>\nSSLCACertificateFile cert.pem\n</Location>", "Your SSL library does not have support for per-directory CA"},
		{"SSLProxyCheckPeerName maybe", "SSLProxyCheckPeerName must be On or Off"},
	}
	for _, tt := range tests {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{"cert.pem": "x", "empty.pem": ""})
		_, diags := compileInRoot(t, root, "ServerName a\n"+tt.conf+"\n")
		want := strings.ReplaceAll(tt.want, "@ROOT@", root)
		d, ok := diags.First()
		if !ok || d.Msg != want {
			t.Errorf("%q:\n got %v\nwant %s", tt.conf, diags, want)
		}
	}
}

func TestSSLModel(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"a.pem": "a", "a.key": "k", "b.pem": "b", "b2.pem": "b", "ca.pem": "c", "cadir/x": "x"})
	cfg, diags := compileInRoot(t, root, `ServerName a
SSLProtocol all -TLSv1 -TLSv1.1
SSLCipherSuite HIGH:!aNULL
SSLCertificateFile a.pem
SSLCertificateKeyFile a.key
SSLProxyEngine On
SSLProxyVerify require
SSLProxyCACertificateFile ca.pem
SSLProxyCheckPeerName off
SSLSessionCacheTimeout 600
SSLOptions +StdEnvVars -ExportCertData
<VirtualHost *:443>
SSLEngine on
SSLCertificateFile b.pem
SSLCertificateFile b2.pem
SSLProtocol TLSv1.3
SSLCACertificatePath cadir
SSLVerifyClient optional
</VirtualHost>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	m := cfg.Main.SSL
	if m.Protocols == nil || *m.Protocols != ProtoTLS12|ProtoTLS13 || m.CipherSuite != "HIGH:!aNULL" {
		t.Errorf("main: %+v", m)
	}
	if min, max, ok := m.Protocols.Versions(); min != 0x0303 || max != 0x0304 || !ok {
		t.Errorf("Versions = %x %x %v", min, max, ok)
	}
	if m.ProxyEngine == nil || !*m.ProxyEngine || *m.ProxyVerify != VerifyRequire || m.ProxyCACertificateFile.Path != filepath.Join(root, "ca.pem") ||
		*m.ProxyCheckPeerName || *m.SessionCacheTimeout != 600 {
		t.Errorf("main proxy: %+v", m)
	}
	v := cfg.VHosts[0].SSL
	if v.Engine == nil || !*v.Engine || *v.Protocols != ProtoTLS13 || v.CipherSuite != "HIGH:!aNULL" || !*v.ProxyEngine {
		t.Errorf("vhost: %+v", v)
	}
	var certs []string
	for _, c := range v.CertFiles {
		certs = append(certs, filepath.Base(c.Path))
	}
	if strings.Join(certs, ",") != "b.pem,b2.pem" || len(v.KeyFiles) != 1 || *v.VerifyClient != VerifyOptional || v.CACertificatePath == nil {
		t.Errorf("vhost certs %v keys %v verify %v", certs, v.KeyFiles, v.VerifyClient)
	}
	if cfg.Main.SSL.Engine != nil || len(cfg.Main.SSL.CertFiles) != 1 {
		t.Error("MergeVHost modified the main server")
	}
}

func TestSSLProtocolParse(t *testing.T) {
	tests := []struct {
		in    string
		want  SSLProtocols
		warns int
		ok    bool
	}{
		{"all -SSLv3", ProtoAll, 0, true},
		{"-all +TLSv1.2", ProtoTLS12, 0, true},
		{"all TLSv1.2", ProtoTLS12, 1, true},
		{"TLSv1 +TLSv1.2", ProtoTLS1 | ProtoTLS12, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		got, warns, msg := parseSSLProtocol("SSLProtocol", strings.Fields(tt.in))
		_, _, ok := got.Versions()
		if got != tt.want || len(warns) != tt.warns || msg != "" || ok != tt.ok {
			t.Errorf("%q: %b %v %q ok=%v", tt.in, got, warns, msg, ok)
		}
	}
}

func TestMergeCertKeys(t *testing.T) {
	p := func(names ...string) []SSLPath {
		var out []SSLPath
		for _, n := range names {
			out = append(out, SSLPath{Path: n})
		}
		return out
	}
	got := mergeCertKeys(p("m1", "m2", "m3", "m4"), p("v1"))
	var s []string
	for _, x := range got {
		s = append(s, x.Path)
	}
	if strings.Join(s, ",") != "v1,m2,m3,m4" {
		t.Errorf("got %v", s)
	}
}

func FuzzSSLProtocol(f *testing.F) {
	for _, s := range []string{"all -SSLv3", "+TLSv1.3", "TLSv1 TLSv1.1", "-SSLv2 SSLv3", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, _, msg := parseSSLProtocol("SSLProtocol", strings.Fields(s))
		if msg != "" && set != 0 {
			t.Fatalf("%q: error with a set", s)
		}
		if set&^ProtoAll != 0 {
			t.Fatalf("%q: unknown bits %b", s, set)
		}
	})
}

// TestSSLProxyInProxySection: SSLProxy* inside <Proxy> belong to the
// section's backends (Apache 2.4.71 accepts SSLProxyCACertificateFile
// there too), not to the server.
func TestSSLProxyInProxySection(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"ca.pem": "c"})
	cfg, diags := compileInRoot(t, root, `ServerName a
SSLProxyEngine On
SSLProxyVerify none
<Proxy https://b.example/>
SSLProxyVerify require
SSLProxyCACertificateFile ca.pem
SSLProxyCheckPeerName off
</Proxy>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	if m := cfg.Main.SSL; *m.ProxyVerify != VerifyNone || m.ProxyCACertificateFile != nil || m.ProxyCheckPeerName != nil {
		t.Errorf("server took the section's settings: %+v", m)
	}
	var sec *DirConfig
	for _, s := range cfg.Main.Sections {
		if s.Kind == SecProxy {
			sec = s.Dir
		}
	}
	if sec == nil || sec.SSLProxy == nil || *sec.SSLProxy.ProxyVerify != VerifyRequire || sec.SSLProxy.ProxyCACertificateFile == nil || *sec.SSLProxy.ProxyCheckPeerName {
		t.Fatalf("section: %+v", sec)
	}
	eff := cfg.Main.SSL.MergeVHost(cfg.Main.Dir.Merge(sec).SSLProxy)
	if !*eff.ProxyEngine || *eff.ProxyVerify != VerifyRequire {
		t.Errorf("merged: %+v", eff)
	}
}
