package oidc

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/oidcgate/oidcgate/internal/pemkey"
)

// withClientCert returns client presenting the TLS client certificate in
// certFile (its key in keyFile, or in certFile when keyFile is "",
// decrypted with password), or client itself when no certificate is
// configured. As with curl, a key without a certificate presents nothing.
// A certificate that cannot be loaded fails every call made with the
// returned client (the module's token requests fail the same way), after
// one error line now naming directives.
func withClientCert(client *http.Client, directives, certFile, keyFile, password string, log *slog.Logger) *http.Client {
	if certFile == "" {
		return client
	}
	if ct, ok := client.Transport.(cookieTransport); ok {
		// OIDCPassCookies' wrapper (a metadata-dir provider starts from
		// the server's wrapped client): the certificate goes on the bare
		// transport, the wrapper stays outside.
		bare := *client
		bare.Transport = ct.base
		c := *withClientCert(&bare, directives, certFile, keyFile, password, log)
		c.Transport = cookieTransport{c.Transport}
		return &c
	}
	cert, err := pemkey.LoadKeyPair(certFile, keyFile, password)
	if err != nil {
		err = fmt.Errorf("%s: %w", directives, err)
		log.Error("TLS client certificate could not be loaded: the endpoint it is for will not be called", "err", err)
		return &http.Client{Transport: failingTransport{err}}
	}
	tr := client.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = tr.TLSClientConfig.Clone()
	tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
	c := *client
	c.Transport = tr
	return &c
}

// failingTransport fails every request with err.
type failingTransport struct{ err error }

func (f failingTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }
