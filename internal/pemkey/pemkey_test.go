package pemkey

import (
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The key files in testdata were made with OpenSSL 3.0 (the module's
// library): one RSA key, encrypted in each format with "s3cret".
func TestLoadKeyPair(t *testing.T) {
	td := func(n string) string { return filepath.Join("testdata", n) }
	plain, err := LoadKeyPair(td("cert.pem"), td("plain.key"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := plain.PrivateKey.(*rsa.PrivateKey)
	for _, tc := range []struct {
		key, password, err string
	}{
		{key: "plain.key", password: "ignored"},
		{key: "pbes2-aes256.key", password: "s3cret"},
		{key: "pbes2-aes128-sha1.key", password: "s3cret"},
		{key: "pbes2-des3.key", password: "s3cret"},
		{key: "legacy-aes128.key", password: "s3cret"},
		{key: "pbes2-aes256.key", password: "wrong", err: "wrong password"},
		{key: "legacy-aes128.key", password: "wrong", err: "decrypting"},
		{key: "pbes2-aes256.key", err: "no password"},
		{key: "pbes1.key", password: "s3cret"},
		{key: "pbes1.key", password: "wrong", err: "wrong password"},
		{key: "scrypt.key", password: "s3cret", err: "PBKDF2 only"},
		{key: "cert.pem", err: "no private key"},
		{key: "missing.key", err: "no such file"},
	} {
		t.Run(tc.key+"/"+tc.password, func(t *testing.T) {
			c, err := LoadKeyPair(td("cert.pem"), td(tc.key), tc.password)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.PrivateKey.(*rsa.PrivateKey).Equal(want) {
				t.Error("a different key")
			}
		})
	}
}

// TestKeyInCertFile: without a key file the key is read from the
// certificate file (curl's CURLOPT_SSLCERT alone).
func TestKeyInCertFile(t *testing.T) {
	cert, _ := os.ReadFile("testdata/cert.pem")
	key, _ := os.ReadFile("testdata/pbes2-aes256.key")
	f := filepath.Join(t.TempDir(), "both.pem")
	if err := os.WriteFile(f, append(cert, key...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyPair(f, "", "s3cret"); err != nil {
		t.Fatal(err)
	}
}

func FuzzDecryptKeyPEM(f *testing.F) {
	for _, n := range []string{"pbes2-aes256.key", "legacy-aes128.key", "pbes1.key", "scrypt.key"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(b, "s3cret")
	}
	f.Fuzz(func(t *testing.T, data []byte, pw string) {
		DecryptKeyPEM(data, pw) // must not panic
	})
}
