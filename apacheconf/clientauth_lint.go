package apacheconf

import (
	"github.com/oidcgate/oidcgate/internal/jwkfile"
	"github.com/oidcgate/oidcgate/internal/pemkey"
)

// LintClientAuth warns about client authentication settings that load but
// will not work, or that 2.4.12.3 handles differently (lint only):
//   - an OIDCClientTokenEndpointCert/Key (or OIDCOAuthIntrospectionEndpoint
//     Cert/Key) pair oidcgate cannot load (a missing file, a wrong
//     OIDCClientTokenEndpointKeyPassword, an encryption oidcgate does not
//     read): the token (introspection) requests fail;
//   - a key without a certificate: nothing presented;
//   - an exec: OIDCClientSecret, which 2.4.12.3 sends literally (a remark);
//   - private_key_jwt without OIDCPublicKeyFiles (2.4.12.3 crashes; the
//     assertion then carries no x5t) and a certificate chain in
//     OIDCPublicKeyFiles (2.4.12.3 aborts at start).
func LintClientAuth(cfg *Config) Diagnostics {
	if cfg == nil {
		return nil
	}
	sink := &diagSink{}
	for _, srv := range append([]*Server{cfg.Main}, cfg.VHosts...) {
		if srv == nil || srv.OIDC == nil {
			continue
		}
		o := srv.OIDC
		pw, _ := o.Value("OIDCClientTokenEndpointKeyPassword")
		ipw, _ := o.Value("OIDCOAuthIntrospectionEndpointKeyPassword")
		for _, d := range []struct{ cert, key, password, endpoint string }{
			{"OIDCClientTokenEndpointCert", "OIDCClientTokenEndpointKey", pw.String(), "token"},
			{"OIDCOAuthIntrospectionEndpointCert", "OIDCOAuthIntrospectionEndpointKey", ipw.String(), "introspection"},
		} {
			cert, hasCert := o.Value(d.cert)
			key, hasKey := o.Value(d.key)
			switch {
			case hasCert:
				if _, err := pemkey.LoadKeyPair(oidcFullPath(cfg.ServerRoot, cert.String()), oidcFullPath(cfg.ServerRoot, key.String()), d.password); err != nil {
					sink.add(SevWarning, StageCheck, cert.Pos, d.cert,
						"PEM files; an encrypted key as legacy OpenSSL PEM or PKCS#8 PBES2/PBKDF2 or PBE-SHA1-3DES (convert: openssl pkey -in KEY -aes256 -out NEW)",
						"the TLS client certificate cannot be loaded, so every %s request fails: %v", d.endpoint, err)
				}
			case hasKey:
				sink.add(SevWarning, StageCheck, key.Pos, d.key, "set "+d.cert+" too",
					"%s without %s: no client certificate is presented", d.key, d.cert)
			}
		}
		if sec, ok := o.Value("OIDCClientSecret"); ok && sec.FromExec() {
			sink.add(SevInfo, StageCheck, sec.Pos, "OIDCClientSecret", "keep it if Apache runs mod_auth_openidc 2.4.14 or later; for 2.4.12.3 write the secret itself",
				"the client secret is the first line of the exec: program's output, as in mod_auth_openidc 2.4.14 and later; 2.4.12.3 sends the value as written")
		}
		auth, _ := o.Value("OIDCProviderTokenEndpointAuth")
		intro, _ := o.Value("OIDCOAuthIntrospectionEndpointAuth")
		_, hasPub := o.Value("OIDCPublicKeyFiles")
		if !hasPub {
			for _, v := range []OIDCValue{auth, intro} {
				if v.String() == "private_key_jwt" {
					sink.add(SevWarning, StageCheck, v.Pos, "OIDCPublicKeyFiles", "add the certificate of the private key with OIDCPublicKeyFiles",
						"private_key_jwt without OIDCPublicKeyFiles: mod_auth_openidc 2.4.12.3 crashes on the token request; oidcgate sends the assertion without x5t")
				}
			}
		}
		if pub, ok := o.Value("OIDCPublicKeyFiles"); ok {
			for _, w := range pub.Words {
				if k, err := jwkfile.Load(w, cfg.ServerRoot, false); err == nil && len(k.Certificates) > 1 {
					sink.add(SevWarning, StageCheck, pub.Pos, "OIDCPublicKeyFiles", "keep only the key's own certificate in the file if Apache must read it too",
						"%s holds a certificate chain: mod_auth_openidc 2.4.12.3 aborts at start-up on it (oidcgate publishes the whole chain as x5c)", w)
				}
			}
		}
	}
	return sink.diags
}
