package apacheconf

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

// TestOIDCKeyFiles: OIDCPrivateKeyFiles/OIDCPublicKeyFiles are read at load
// time; a file that holds no usable key is refused with its file:line, and
// private_key_jwt is accepted only after OIDCPrivateKeyFiles.
func TestOIDCKeyFiles(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	files := map[string]string{
		"priv.pem":  string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
		"pub.pem":   string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})),
		"empty.pem": "",
	}
	for _, tc := range []struct {
		name, conf string
		err        string // "" = accepted
	}{
		{name: "keys then private_key_jwt", conf: "OIDCPrivateKeyFiles kid1#priv.pem\nOIDCPublicKeyFiles sig:kid1#pub.pem\nOIDCProviderTokenEndpointAuth private_key_jwt\n"},
		{name: "private_key_jwt before the keys", conf: "OIDCProviderTokenEndpointAuth private_key_jwt\nOIDCPrivateKeyFiles priv.pem\n", err: "main.conf:1"},
		{name: "introspection private_key_jwt", conf: "OIDCPrivateKeyFiles priv.pem\nOIDCOAuthIntrospectionEndpointAuth private_key_jwt\n"},
		{name: "public key as private", conf: "ServerName a\nOIDCPrivateKeyFiles pub.pem\n", err: "main.conf:2"},
		{name: "empty public key file", conf: "OIDCPublicKeyFiles priv.pem empty.pem\n", err: "oidc_jwk_parse_rsa_public_key failed"},
		{name: "missing file", conf: "OIDCPublicKeyFiles kid#nope.pem\n", err: "(kid=kid)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, files)
			_, diags := compileInRoot(t, root, tc.conf)
			var msgs []string
			for _, d := range diags.Errors() {
				msgs = append(msgs, d.Error())
			}
			got := strings.Join(msgs, "\n")
			if tc.err == "" && got != "" || tc.err != "" && !strings.Contains(got, tc.err) {
				t.Errorf("errors %q, want %q", got, tc.err)
			}
		})
	}
}
