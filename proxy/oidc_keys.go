package proxy

import (
	"fmt"
	"path/filepath"

	"github.com/go-jose/go-jose/v4"
	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/internal/jwkfile"
	"github.com/oidcgate/oidcgate/oidc"
)

// oidcKeys loads a server's OIDCPrivateKeyFiles and OIDCPublicKeyFiles
// (ServerRoot-relative), in configuration order; apacheconf has already
// refused a configuration whose files do not load.
func oidcKeys(srv *apacheconf.Server, root string) (priv, pub []jose.JSONWebKey, err error) {
	load := func(name string, private bool) ([]jose.JSONWebKey, error) {
		v, ok := srv.OIDC.Value(name)
		if !ok {
			return nil, nil
		}
		var out []jose.JSONWebKey
		for _, w := range v.Words {
			k, err := jwkfile.Load(w, root, private)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %v", v.Pos, name, err)
			}
			out = append(out, k)
		}
		return out, nil
	}
	if priv, err = load("OIDCPrivateKeyFiles", true); err != nil {
		return nil, nil, err
	}
	pub, err = load("OIDCPublicKeyFiles", false)
	return priv, pub, err
}

// tokenEndpointCert sets OIDCClientTokenEndpointCert/Key/KeyPassword
// (ServerRoot-relative files, as oidc_util_get_full_path makes them).
func tokenEndpointCert(srv *apacheconf.Server, root string, st *oidc.Settings) {
	get := func(name string) string {
		if v, ok := srv.OIDC.Value(name); ok {
			return v.String()
		}
		return ""
	}
	st.TokenEndpointCertFile = serverRootRelative(root, get("OIDCClientTokenEndpointCert"))
	st.TokenEndpointKeyFile = serverRootRelative(root, get("OIDCClientTokenEndpointKey"))
	st.TokenEndpointKeyPassword = get("OIDCClientTokenEndpointKeyPassword")
}

func serverRootRelative(root, p string) string {
	if p == "" || filepath.IsAbs(p) || root == "" {
		return p
	}
	return filepath.Join(root, p)
}
