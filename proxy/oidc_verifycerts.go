package proxy

import (
	"crypto"
	"fmt"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/internal/jwkfile"
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
		k, err := jwkfile.Load(w, root, false)
		if err != nil {
			return nil, fmt.Errorf("%s: OIDCProviderVerifyCertFiles: %v", v.Pos, err)
		}
		keys = append(keys, k.Key)
	}
	return keys, nil
}
