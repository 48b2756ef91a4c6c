package proxy

import (
	"crypto"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// providerVerifyKeys reads OIDCProviderVerifyCertFiles ("[kid#]file",
// ServerRoot-relative): the PEM certificates or public keys that verify
// the provider's id_tokens besides its JWKS.
func providerVerifyKeys(srv *apacheconf.Server, root string) ([]crypto.PublicKey, error) {
	if srv.OIDC == nil {
		return nil, nil
	}
	v, ok := srv.OIDC.Value("OIDCProviderVerifyCertFiles")
	if !ok {
		return nil, nil
	}
	var keys []crypto.PublicKey
	for _, w := range v.Words {
		file := w
		if _, f, ok := strings.Cut(w, "#"); ok {
			file = f
		}
		if root != "" && !filepath.IsAbs(file) {
			file = filepath.Join(root, file)
		}
		k, err := publicKeyFile(file)
		if err != nil {
			return nil, fmt.Errorf("OIDCProviderVerifyCertFiles: %v", err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}
