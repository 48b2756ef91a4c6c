// Package pemkey loads a TLS client certificate and its private key from
// PEM files the way libcurl with OpenSSL does for mod_auth_openidc's
// OIDCClientTokenEndpointCert/Key/KeyPassword: the key may sit in the
// certificate file, and may be encrypted with a password, either as a
// legacy OpenSSL PEM ("Proc-Type: 4,ENCRYPTED") or as PKCS#8 PBES2
// (PBKDF2 with HMAC-SHA1/224/256/384/512, AES-128/192/256-CBC or
// DES-EDE3-CBC; OpenSSL 3's default for "openssl pkey -aes256").
//
// PKCS#8 with PKCS#12's PBE-SHA1-3DES (older OpenSSL's default) is read
// too. Not supported (refused with a message saying so): other PBES1
// schemes, scrypt key derivation, and ciphers other than the above.
package pemkey

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
)

// LoadKeyPair reads certFile and keyFile ("" = the key is in certFile),
// decrypting the key with password when it is encrypted.
func LoadKeyPair(certFile, keyFile, password string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM := certPEM
	if keyFile != "" && keyFile != certFile {
		if keyPEM, err = os.ReadFile(keyFile); err != nil {
			return tls.Certificate{}, err
		}
	}
	plain, err := DecryptKeyPEM(keyPEM, password)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: %w", orDefault(keyFile, certFile), err)
	}
	cert, err := tls.X509KeyPair(certPEM, plain)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s / %s: %w", certFile, orDefault(keyFile, certFile), err)
	}
	return cert, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// DecryptKeyPEM returns the first private key of data as an unencrypted
// PEM block, decrypting it with password when needed.
func DecryptKeyPEM(data []byte, password string) ([]byte, error) {
	for rest := data; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, errors.New("no private key found")
		}
		switch {
		case blk.Type == "ENCRYPTED PRIVATE KEY":
			if password == "" {
				return nil, errors.New("the private key is encrypted and no password is configured")
			}
			der, err := decryptPKCS8(blk.Bytes, []byte(password))
			if err != nil {
				return nil, err
			}
			return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
		case blk.Headers["Proc-Type"] == "4,ENCRYPTED":
			if password == "" {
				return nil, errors.New("the private key is encrypted and no password is configured")
			}
			//lint:ignore SA1019 legacy OpenSSL PEM encryption is what the module's users have; it is decrypted, never produced
			der, err := x509.DecryptPEMBlock(blk, []byte(password)) //nolint:staticcheck
			if err != nil {
				return nil, fmt.Errorf("decrypting the private key: %v", err)
			}
			return pem.EncodeToMemory(&pem.Block{Type: blk.Type, Bytes: der}), nil
		case blk.Type == "PRIVATE KEY" || blk.Type == "RSA PRIVATE KEY" || blk.Type == "EC PRIVATE KEY":
			return pem.EncodeToMemory(&pem.Block{Type: blk.Type, Bytes: blk.Bytes}), nil
		}
	}
}

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm     algorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KeyDerivationFunc algorithmIdentifier
	EncryptionScheme  algorithmIdentifier
}

type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                 `asn1:"optional"`
	PRF            algorithmIdentifier `asn1:"optional"`
}

// maxIterations bounds the PBKDF2 work a key file can ask for.
const maxIterations = 10_000_000

// decryptPKCS8 decrypts a PKCS#8 EncryptedPrivateKeyInfo (PBES2 with
// PBKDF2) into a PKCS#8 PrivateKeyInfo.
func decryptPKCS8(der, password []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("encrypted private key: not PKCS#8 (%v)", err)
	}
	if info.Algorithm.Algorithm.Equal(oidPBEWithSHAAnd3KeyTripleDESCBC) {
		return decryptPKCS12PBE(info, password)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("encrypted private key: scheme %v is not supported (PBES2, or PBE-SHA1-3DES: convert with openssl pkey -aes256)", info.Algorithm.Algorithm)
	}
	var p pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p); err != nil {
		return nil, fmt.Errorf("encrypted private key: PBES2 parameters: %v", err)
	}
	if !p.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("encrypted private key: key derivation %v is not supported (PBKDF2 only)", p.KeyDerivationFunc.Algorithm)
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(p.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil {
		return nil, fmt.Errorf("encrypted private key: PBKDF2 parameters: %v", err)
	}
	if kdf.IterationCount < 1 || kdf.IterationCount > maxIterations {
		return nil, fmt.Errorf("encrypted private key: PBKDF2 iteration count %d out of range", kdf.IterationCount)
	}
	var prf func() hash.Hash
	switch a := kdf.PRF.Algorithm; {
	case len(a) == 0 || a.Equal(oidHMACSHA1):
		prf = sha1.New
	case a.Equal(oidHMACSHA224):
		prf = sha256.New224
	case a.Equal(oidHMACSHA256):
		prf = sha256.New
	case a.Equal(oidHMACSHA384):
		prf = sha512.New384
	case a.Equal(oidHMACSHA512):
		prf = sha512.New
	default:
		return nil, fmt.Errorf("encrypted private key: PRF %v is not supported", a)
	}
	var keyLen int
	var newCipher func([]byte) (cipher.Block, error)
	switch a := p.EncryptionScheme.Algorithm; {
	case a.Equal(oidAES128CBC):
		keyLen, newCipher = 16, aes.NewCipher
	case a.Equal(oidAES192CBC):
		keyLen, newCipher = 24, aes.NewCipher
	case a.Equal(oidAES256CBC):
		keyLen, newCipher = 32, aes.NewCipher
	case a.Equal(oidDESEDE3CBC):
		keyLen, newCipher = 24, des.NewTripleDESCipher
	default:
		return nil, fmt.Errorf("encrypted private key: cipher %v is not supported (AES-CBC or DES-EDE3-CBC)", a)
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keyLen {
		return nil, errors.New("encrypted private key: key length does not match the cipher")
	}
	var iv []byte
	if _, err := asn1.Unmarshal(p.EncryptionScheme.Parameters.FullBytes, &iv); err != nil {
		return nil, fmt.Errorf("encrypted private key: IV: %v", err)
	}
	key, err := pbkdf2.Key(prf, string(password), kdf.Salt, kdf.IterationCount, keyLen)
	if err != nil {
		return nil, fmt.Errorf("encrypted private key: %v", err)
	}
	block, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	bs := block.BlockSize()
	if len(iv) != bs || len(info.EncryptedData) == 0 || len(info.EncryptedData)%bs != 0 {
		return nil, errors.New("encrypted private key: bad IV or data length")
	}
	out := make([]byte, len(info.EncryptedData))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, info.EncryptedData)
	return unpad(out, bs)
}

// unpad strips the PKCS#7 padding of a decrypted PrivateKeyInfo and
// checks that it parses; a wrong password almost always fails here.
func unpad(out []byte, bs int) ([]byte, error) {
	n := int(out[len(out)-1])
	if n == 0 || n > bs || !bytes.Equal(out[len(out)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		return nil, errors.New("decrypting the private key failed (wrong password?)")
	}
	out = out[:len(out)-n]
	if _, err := x509.ParsePKCS8PrivateKey(out); err != nil {
		return nil, errors.New("decrypting the private key failed (wrong password?)")
	}
	return out, nil
}

// oidPBEWithSHAAnd3KeyTripleDESCBC is PKCS#12's PBE-SHA1-3DES, the
// default of "openssl pkcs8 -topk8" before OpenSSL 1.1.
var oidPBEWithSHAAnd3KeyTripleDESCBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}

type pkcs12PBEParams struct {
	Salt       []byte
	Iterations int
}

// decryptPKCS12PBE decrypts PBE-SHA1-3DES (RFC 7292 appendix B key
// derivation, SHA-1, the password as a NUL-terminated BMPString).
func decryptPKCS12PBE(info encryptedPrivateKeyInfo, password []byte) ([]byte, error) {
	var p pkcs12PBEParams
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p); err != nil {
		return nil, fmt.Errorf("encrypted private key: PBE parameters: %v", err)
	}
	if p.Iterations < 1 || p.Iterations > maxIterations {
		return nil, fmt.Errorf("encrypted private key: iteration count %d out of range", p.Iterations)
	}
	bmp := make([]byte, 0, 2*len(password)+2)
	for _, r := range string(password) {
		if r > 0xFFFF {
			return nil, errors.New("encrypted private key: the password has characters outside the BMP")
		}
		bmp = append(bmp, byte(r>>8), byte(r))
	}
	bmp = append(bmp, 0, 0)
	key := pkcs12KDF(p.Salt, bmp, p.Iterations, 1, 24)
	iv := pkcs12KDF(p.Salt, bmp, p.Iterations, 2, 8)
	block, err := des.NewTripleDESCipher(key)
	if err != nil {
		return nil, err
	}
	if len(info.EncryptedData) == 0 || len(info.EncryptedData)%block.BlockSize() != 0 {
		return nil, errors.New("encrypted private key: bad data length")
	}
	out := make([]byte, len(info.EncryptedData))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, info.EncryptedData)
	return unpad(out, block.BlockSize())
}

// pkcs12KDF is RFC 7292 appendix B.2 with SHA-1 (u = 20, v = 64): n bytes
// of key material of purpose id (1 key, 2 IV).
func pkcs12KDF(salt, password []byte, iterations int, id byte, n int) []byte {
	const u, v = 20, 64
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		out := make([]byte, v*((len(b)+v-1)/v))
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	d := bytes.Repeat([]byte{id}, v)
	in := append(fill(salt), fill(password)...)
	var out []byte
	for len(out) < n {
		h := sha1.New()
		h.Write(d)
		h.Write(in)
		a := h.Sum(nil)
		for r := 1; r < iterations; r++ {
			s := sha1.Sum(a)
			a = s[:]
		}
		out = append(out, a...)
		// I_j = (I_j + B + 1) mod 2^(8v), B = A repeated to v bytes.
		b := make([]byte, v)
		for i := range b {
			b[i] = a[i%u]
		}
		for j := 0; j < len(in); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				x := int(in[j+k]) + int(b[k]) + carry
				in[j+k] = byte(x)
				carry = x >> 8
			}
		}
	}
	return out[:n]
}
