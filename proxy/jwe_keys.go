package proxy

import (
	"fmt"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/oidc"
)

// rsDecryptKeys sets what decrypts JWE bearer tokens, as current
// upstream's oidc_oauth_validate_jwt_access_token chooses it: the keys of
// OIDCOAuthDecryptSharedKeys when configured, else OIDCClientSecret's
// bytes (2.4.12.3's only symmetric key).
func rsDecryptKeys(o *apacheconf.OIDCServer, s *oidc.RSSettings) error {
	if v, ok := o.Value("OIDCOAuthDecryptSharedKeys"); ok {
		for _, w := range v.Words {
			k, err := decryptSharedKey(w)
			if err != nil {
				return fmt.Errorf("OIDCOAuthDecryptSharedKeys: %v", err)
			}
			s.DecryptKeys = append(s.DecryptKeys, k)
		}
		return nil
	}
	if v, ok := o.Value("OIDCClientSecret"); ok {
		s.DecryptSecret = v.String()
	}
	return nil
}

// decryptSharedKey reads one OIDCOAuthDecryptSharedKeys value (current
// upstream's oidc_cfg_parse_key_record): an optional "sig:" or "enc:"
// use, then "<encoding>#[<kid>]#<key>", "<kid>#<key>" or "<key>".
func decryptSharedKey(w string) (oidc.JWEKey, error) {
	use := ""
	for _, p := range []string{"sig", "enc"} {
		if rest, ok := strings.CutPrefix(w, p+":"); ok {
			use, w = p, rest
			break
		}
	}
	if w == "" {
		return oidc.JWEKey{}, fmt.Errorf("tuple value not set")
	}
	key, err := sharedKey(w)
	if err != nil {
		return oidc.JWEKey{}, err
	}
	kid := ""
	if first, rest, ok := strings.Cut(w, "#"); ok {
		kid = first
		if mid, _, triple := strings.Cut(rest, "#"); triple {
			kid = mid
		}
	}
	return oidc.SymmetricJWEKey(kid, key, use), nil
}
