package oidc

import (
	"crypto/tls"
	"net/http"

	"github.com/oidcgate/oidcgate/internal/pemkey"
)

// withClientCert returns client presenting the TLS client certificate in
// certFile (its key in keyFile, or in certFile when keyFile is "",
// decrypted with password), or client itself when no certificate is
// configured. As with curl, a key without a certificate presents nothing.
func withClientCert(client *http.Client, certFile, keyFile, password string) (*http.Client, error) {
	if certFile == "" {
		return client, nil
	}
	cert, err := pemkey.LoadKeyPair(certFile, keyFile, password)
	if err != nil {
		return nil, err
	}
	tr := client.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = tr.TLSClientConfig.Clone()
	tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
	c := *client
	c.Transport = tr
	return &c, nil
}
