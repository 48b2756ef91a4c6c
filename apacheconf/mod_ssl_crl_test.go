package apacheconf

import (
	"fmt"
	"strings"
	"testing"
)

// TestSSLProxyCRL: SSLProxyCARevocationCheck's parsing (Apache's
// messages, measured with apache2 -t), the files reaching the server's
// settings, and AH01902 when CRLs are configured but not checked.
func TestSSLProxyCRL(t *testing.T) {
	for _, tt := range []struct {
		arg, err string
		want     SSLCRLCheck
	}{
		{"chain", "", SSLCRLCheck{Mode: "chain"}},
		{"CHAIN", "", SSLCRLCheck{Mode: "chain"}},
		{"leaf no_crl_for_cert_ok", "", SSLCRLCheck{Mode: "leaf", NoCRLForCertOK: true}},
		{"chain NO_CRL_FOR_CERT_OK", "", SSLCRLCheck{Mode: "chain", NoCRLForCertOK: true}},
		{"none", "", SSLCRLCheck{Mode: "none"}},
		{"bogus", "SSLProxyCARevocationCheck: Invalid argument 'bogus'", SSLCRLCheck{}},
		{"chain bogus", "SSLProxyCARevocationCheck: Invalid argument 'bogus'", SSLCRLCheck{}},
		{"chain no_crl_for_cert_ok extra", "SSLProxyCARevocationCheck: Invalid argument 'extra'", SSLCRLCheck{}},
	} {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{"crl.pem": "x", "main.conf": "LoadModule mpm_event_module x.so\nLoadModule ssl_module x.so\nServerName a\n" +
			"SSLProxyCARevocationFile crl.pem\nSSLProxyCARevocationCheck " + tt.arg + "\n", "x.so": ""})
		cfg, diags := Load(Options{File: "main.conf", ServerRoot: root, Envvars: EnvvarsOff})
		if tt.err != "" {
			if d, ok := diags.First(); !ok || d.Msg != tt.err {
				t.Errorf("%q: %v, want %q", tt.arg, diags, tt.err)
			}
			continue
		}
		if cfg == nil {
			t.Fatalf("%q: %v", tt.arg, diags)
		}
		s := cfg.Main.SSL
		if s.ProxyCARevocationCheck == nil || *s.ProxyCARevocationCheck != tt.want || s.ProxyCARevocationFile == nil {
			t.Errorf("%q: %+v", tt.arg, s.ProxyCARevocationCheck)
		}
		warned := strings.Contains(fmt.Sprint(diags), "X.509 CRL storage locations configured, but CRL checking (SSLProxyCARevocationCheck) is not enabled")
		if warned != (tt.want.Mode == "none") {
			t.Errorf("%q: AH01902 warned=%v: %v", tt.arg, warned, diags)
		}
	}
}
