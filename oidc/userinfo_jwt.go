package oidc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// jweDecrypter is what decrypts JWEs sent to the relying party (id_tokens
// and userinfo responses): OIDCPrivateKeyFiles' keys and the client
// secret's SHA-256 (truncated to the alg's key size), as
// oidc_proto_parse_idtoken and oidc_user_info_response_validate build it.
func (rp *RelyingParty) jweDecrypter() *jweDecrypter {
	return &jweDecrypter{keys: privateJWEKeys(rp.s.PrivateKeys), secret: rp.s.ClientSecret, hashed: true}
}

// userInfoJWT turns a userinfo response into its claims as 2.4.12.3's
// oidc_user_info_response_validate does, and returns the JWT that
// OIDCPassUserInfoAs jwt passes ("" when there is none):
//   - with OIDCUserInfoEncryptedResponseAlg the response must be a JWE;
//     its plaintext takes its place;
//   - with OIDCUserInfoSignedResponseAlg what is left must be a JWS (a JWE
//     is decrypted first) signed with exactly that alg, verified with the
//     provider's JWKS or, for HS*, the client secret; its payload is the
//     claims and the JWS (or the JWE, when only this step decrypted it) is
//     the userinfo JWT;
//   - with neither the response is the claims' JSON.
//
// Like 2.4.12.3 and current upstream, the JWT's iss, aud and exp are not
// checked: the response came over the provider's TLS connection for the
// access token.
func (rp *RelyingParty) userInfoJWT(ctx context.Context, body []byte) ([]byte, string, error) {
	s := rp.s
	if s.UserInfoEncryptedAlg != "" {
		tok := string(bytes.TrimSpace(body))
		if !isJWE(tok) {
			return nil, "", errors.New("OIDCUserInfoEncryptedResponseAlg is set but the response is not a JWE")
		}
		plain, err := rp.jweDecrypter().decrypt(tok, maxJWE)
		if err != nil {
			return nil, "", err
		}
		body = plain
	}
	if s.UserInfoSignedAlg == "" {
		return body, "", nil
	}
	tok := string(bytes.TrimSpace(body))
	jws := tok
	if isJWE(tok) {
		plain, err := rp.jweDecrypter().decrypt(tok, maxJWE)
		if err != nil {
			return nil, "", err
		}
		jws = string(plain)
	}
	payload, err := rp.verifyUserInfoJWS(ctx, jws)
	if err != nil {
		return nil, "", err
	}
	return payload, tok, nil
}

// verifyUserInfoJWS checks a signed userinfo response
// (oidc_proto_jwt_verify with the configured alg) and returns its payload.
func (rp *RelyingParty) verifyUserInfoJWS(ctx context.Context, tok string) ([]byte, error) {
	want := rp.s.UserInfoSignedAlg
	if strings.Count(tok, ".") != 2 {
		return nil, errors.New("userinfo response is not a JWS")
	}
	jws, err := jose.ParseSigned(tok, jwtAlgs)
	if err != nil {
		return nil, fmt.Errorf("userinfo JWT: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("userinfo JWT must have exactly one signature")
	}
	if alg := jws.Signatures[0].Header.Algorithm; alg != want {
		return nil, fmt.Errorf("userinfo JWT was not signed with the expected configured algorithm: %s != %s", alg, want)
	}
	if strings.HasPrefix(want, "HS") {
		if !hmacValid(tok, want, []byte(rp.s.ClientSecret)) {
			return nil, errors.New("userinfo JWT signature could not be validated with the client secret")
		}
		return jws.UnsafePayloadWithoutVerification(), nil
	}
	ks := rp.prov.keySet()
	if ks == nil {
		return nil, errors.New("userinfo JWT: the provider has no jwks_uri")
	}
	payload, err := ks.VerifySignature(gooidc.ClientContext(ctx, rp.prov.client), tok)
	if err != nil {
		return nil, fmt.Errorf("userinfo JWT signature could not be validated: %w", err)
	}
	return payload, nil
}
