package apacheconf

// oidcHeadSpecs are the mod_auth_openidc directives of current upstream
// that Debian's 2.4.12.3 does not have (with 2.4.12.3's 129 they make the
// 146 of upstream plus the three it dropped: OIDCHTMLErrorTemplate and the
// two token-binding ones).
// oidcgate accepts them so configurations written for newer modules work;
// in strict mode (configtest --apache) they are unknown, as on Debian.
// Classes and contexts follow upstream's documentation
// (../shared/reference/mod_auth_openidc.md §1.4).
var oidcHeadSpecs = []Spec{
	{Name: "OIDCCertBoundAccessTokens", Class: Take1, Override: RsrcConf},
	{Name: "OIDCDPoPMode", Class: Take12, Override: RsrcConf},
	{Name: "OIDCDebugMaskSecrets", Class: Flag, Override: RsrcConf},
	{Name: "OIDCDiscoverIssuersAllowed", Class: Iterate, Override: RsrcConf},
	{Name: "OIDCFilterClaimsExpr", Class: Take1, Override: RsrcConf},
	{Name: "OIDCIDTokenAudValues", Class: Iterate, Override: RsrcConf},
	{Name: "OIDCLogoutRequestParams", Class: Take1, Override: RsrcConf},
	{Name: "OIDCMetricsData", Class: Iterate, Override: RsrcConf},
	{Name: "OIDCMetricsPublish", Class: Take1, Override: RsrcConf},
	{Name: "OIDCOAuthDecryptSharedKeys", Class: Iterate, Override: RsrcConf},
	{Name: "OIDCOAuthIntrospectionEndpointKeyPassword", Class: Take1, Override: RsrcConf},
	{Name: "OIDCOAuthVerifyAudience", Class: Iterate, Override: RsrcConf},
	{Name: "OIDCOAuthVerifyIssuer", Class: Take1, Override: RsrcConf},
	{Name: "OIDCPassAccessToken", Class: Flag, Override: RsrcConf | AccessConf | OrAuthCfg},
	{Name: "OIDCPreservePostTemplates", Class: Take12, Override: RsrcConf},
	{Name: "OIDCProfile", Class: Take1, Override: RsrcConf},
	{Name: "OIDCProviderPushedAuthorizationRequestEndpoint", Class: Take1, Override: RsrcConf},
	{Name: "OIDCProviderSignedJwksUri", Class: Take12, Override: RsrcConf},
	{Name: "OIDCTraceParent", Class: Take1, Override: RsrcConf},
	{Name: "OIDCUserInfoClaimsExpr", Class: Take1, Override: RsrcConf | AccessConf | OrAuthCfg},
}

// headOnlyOIDC names the directives of oidcHeadSpecs (lower-case).
var headOnlyOIDC = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range oidcHeadSpecs {
		m[lower(s.Name)] = true
	}
	return m
}()

// withHeadModule fills in the module of the upstream-only specs.
func withHeadModule(specs []Spec) []Spec {
	out := make([]Spec, len(specs))
	for i, s := range specs {
		s.Module = "mod_auth_openidc"
		out[i] = s
	}
	return out
}
