package apacheconf

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
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

// TestLintClientAuth: lint's client-authentication warnings, each at the
// directive's line.
func TestLintClientAuth(t *testing.T) {
	pk := "../internal/pemkey/testdata/"
	abs := func(n string) string { p, _ := filepath.Abs(pk + n); return p }
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, tc := range []struct {
		name, conf string
		want       []string // "line: text" of each warning
	}{
		{name: "good encrypted key", conf: "OIDCClientTokenEndpointCert " + abs("cert.pem") + "\nOIDCClientTokenEndpointKey " + abs("pbes2-aes256.key") + "\nOIDCClientTokenEndpointKeyPassword s3cret\n"},
		{name: "wrong password", conf: "OIDCClientTokenEndpointCert " + abs("cert.pem") + "\nOIDCClientTokenEndpointKey " + abs("pbes2-aes256.key") + "\nOIDCClientTokenEndpointKeyPassword nope\n",
			want: []string{"1: the TLS client certificate cannot be loaded"}},
		{name: "scrypt", conf: "OIDCClientTokenEndpointCert " + abs("cert.pem") + "\nOIDCClientTokenEndpointKey " + abs("scrypt.key") + "\nOIDCClientTokenEndpointKeyPassword s3cret\n",
			want: []string{"1: the TLS client certificate cannot be loaded"}},
		{name: "introspection key encrypted", conf: "OIDCOAuthIntrospectionEndpointCert " + abs("cert.pem") + "\nOIDCOAuthIntrospectionEndpointKey " + abs("pbes2-aes256.key") + "\n",
			want: []string{"1: the TLS client certificate cannot be loaded, so every introspection request fails"}},
		{name: "introspection key password", conf: "OIDCOAuthIntrospectionEndpointCert " + abs("cert.pem") + "\nOIDCOAuthIntrospectionEndpointKey " + abs("pbes2-aes256.key") + "\nOIDCOAuthIntrospectionEndpointKeyPassword exec:bin/pw.sh\n"},
		{name: "key only", conf: "OIDCClientTokenEndpointKey " + abs("plain.key") + "\n", want: []string{"1: OIDCClientTokenEndpointKey without"}},
		// the password is the program's output (the program ServerRoot-relative)
		{name: "exec password", conf: "OIDCClientTokenEndpointCert " + abs("cert.pem") + "\nOIDCClientTokenEndpointKey " + abs("pbes2-aes256.key") + "\nOIDCClientTokenEndpointKeyPassword exec:bin/pw.sh\n"},
		{name: "exec wrong password", conf: "OIDCClientTokenEndpointCert " + abs("cert.pem") + "\nOIDCClientTokenEndpointKey " + abs("pbes2-aes256.key") + "\nOIDCClientTokenEndpointKeyPassword \"exec:bin/pw.sh nope\"\n",
			want: []string{"1: the TLS client certificate cannot be loaded"}},
		{name: "exec client secret", conf: "OIDCClientSecret exec:bin/pw.sh\n", want: []string{"1: the client secret is the first line of the exec: program's output"}},
		{name: "literal client secret", conf: "OIDCClientSecret exec:\n"},
		{name: "private_key_jwt without public keys", conf: "OIDCPrivateKeyFiles priv.pem\nOIDCProviderTokenEndpointAuth private_key_jwt\n",
			want: []string{"2: private_key_jwt without OIDCPublicKeyFiles"}},
		{name: "chain", conf: "OIDCPublicKeyFiles chain.pem\n", want: []string{"1: chain.pem holds a certificate chain"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			cert, _ := os.ReadFile(pk + "cert.pem")
			writeFiles(t, root, map[string]string{
				"priv.pem":  string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
				"chain.pem": string(cert) + string(cert),
			})
			os.Mkdir(filepath.Join(root, "bin"), 0o755)
			os.WriteFile(filepath.Join(root, "bin", "pw.sh"), []byte("#!/bin/sh\necho ${1:-s3cret}\n"), 0o755)
			cfg, diags := compileInRoot(t, root, tc.conf)
			if diags.HasErrors() {
				t.Fatal(diags.Errors())
			}
			var got []string
			for _, d := range LintClientAuth(cfg) {
				got = append(got, fmt.Sprintf("%d: %s", d.Pos.Line, d.Msg))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("warnings %q, want %q", got, tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("warning %q, want %q…", got[i], tc.want[i])
				}
			}
		})
	}
}
