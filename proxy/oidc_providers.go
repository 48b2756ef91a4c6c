package proxy

import (
	"regexp"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/oidc"
)

// oidcProviderSettings adds the settings of several providers
// (OIDCMetadataDir, upstream's OIDCDiscoverIssuersAllowed) and of dynamic
// client registration.
func oidcProviderSettings(o *apacheconf.OIDCServer, s *oidc.Settings, str func(name, def string) string) {
	s.MetadataDir = str("OIDCMetadataDir", "")
	if v, ok := o.Value("OIDCDiscoverIssuersAllowed"); ok {
		s.DiscoverIssuersAllowed = v.Regexps
		if s.DiscoverIssuersAllowed == nil {
			// Patterns none of which compiles allow nothing.
			s.DiscoverIssuersAllowed = []*regexp.Regexp{}
		}
	}
	s.Registration = oidc.Registration{
		ClientName:          str("OIDCClientName", ""),
		ClientContact:       str("OIDCClientContact", ""),
		ClientJwksURI:       str("OIDCClientJwksUri", ""),
		EndpointJSON:        str("OIDCProviderRegistrationEndpointJson", ""),
		IDTokenEncryptedAlg: str("OIDCIDTokenEncryptedResponseAlg", ""),
		IDTokenEncryptedEnc: str("OIDCIDTokenEncryptedResponseEnc", ""),
	}
	_, s.Registration.PublicKeys = o.Value("OIDCPublicKeyFiles")
}
