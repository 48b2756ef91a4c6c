package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// backChannelEvent is the events member a logout token must carry.
const backChannelEvent = "http://schemas.openid.net/event/backchannel-logout"

// backChannelLogout answers "POST <redirect_uri>?logout=backchannel" with a
// logout_token from the provider (OpenID Connect Back-Channel Logout 1.0,
// oidc_handle_logout_backchannel): the token is verified as an id_token is
// (signature, iss, aud, azp, iat), must carry the back-channel event and
// no nonce; its jti may be used once. The session indexed by
// "<sid or sub>@<issuer>" is deleted — in the shared store, so on every
// instance. 200 with an empty body on success (also when no session
// matched), 400 otherwise.
func (rp *RelyingParty) backChannelLogout(ctx context.Context, x *exchange) Result {
	h := x.header()
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("Pragma", "no-cache")
	if err := rp.verifyLogoutToken(ctx, x); err != nil {
		rp.log.Error("back-channel logout refused", "err", err)
		return x.status(http.StatusBadRequest)
	}
	return rp.send(x, nil, "", http.StatusOK)
}

func (rp *RelyingParty) verifyLogoutToken(ctx context.Context, x *exchange) error {
	if x.r.Method != http.MethodPost || !strings.HasPrefix(x.r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return errors.New("the logout token must be POST-ed as a form")
	}
	body, err := io.ReadAll(io.LimitReader(x.r.Body, 64<<10))
	if err != nil {
		return err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return err
	}
	tokens := form["logout_token"]
	if len(tokens) != 1 || tokens[0] == "" {
		return errors.New("exactly one logout_token parameter is required")
	}
	md, err := rp.prov.metadata(ctx)
	if err != nil {
		return err
	}
	ks := rp.prov.keySet()
	if ks == nil {
		return errors.New("the provider has no jwks_uri")
	}
	algs := md.Algorithms
	if rp.s.IDTokenSignedAlg != "" {
		algs = []string{rp.s.IDTokenSignedAlg}
	}
	// Logout tokens carry no exp necessarily; iat is checked below.
	v := gooidc.NewVerifier(md.Issuer, ks, &gooidc.Config{ClientID: rp.s.ClientID, SupportedSigningAlgs: withoutNone(algs),
		SkipIssuerCheck: true, SkipExpiryCheck: true, Now: rp.now})
	tok := tokens[0]
	if isJWE(tok) { // 2.4.12.3 decrypts with OIDCPrivateKeyFiles only
		inner, err := (&jweDecrypter{keys: privateJWEKeys(rp.s.PrivateKeys)}).decrypt(tok, maxJWE)
		if err != nil {
			return fmt.Errorf("logout token: %w", err)
		}
		tok = string(inner)
	}
	idt, err := v.Verify(gooidc.ClientContext(ctx, rp.prov.client), tok)
	if err != nil {
		return err
	}
	if rp.s.ValidateIssuer && !issuerMatch(md.Issuer, idt.Issuer) {
		return fmt.Errorf("logout token issuer %q is not %q", idt.Issuer, md.Issuer)
	}
	var c struct {
		Iat    *json.Number               `json:"iat"`
		Exp    *json.Number               `json:"exp"`
		Azp    *string                    `json:"azp"`
		Nonce  *json.RawMessage           `json:"nonce"`
		Jti    string                     `json:"jti"`
		Sid    string                     `json:"sid"`
		Sub    string                     `json:"sub"`
		Events map[string]json.RawMessage `json:"events"`
	}
	if err := idt.Claims(&c); err != nil {
		return err
	}
	now, slack := rp.now().Unix(), int64(rp.s.IATSlack/time.Second)
	// iat is required (upstream; optional in 2.4.12.3 — stricter input).
	if c.Iat == nil {
		return errors.New("logout token has no iat")
	}
	iat, err := c.Iat.Int64()
	if err != nil || iat < now-slack || iat > now+slack {
		return errors.New("logout token iat outside the allowed slack")
	}
	if c.Exp != nil {
		if exp, err := c.Exp.Int64(); err != nil || exp < now {
			return errors.New("logout token expired")
		}
	}
	if c.Azp != nil && *c.Azp != rp.s.ClientID {
		return errors.New("logout token azp is not the client_id")
	}
	ev, ok := c.Events[backChannelEvent]
	if !ok || len(ev) == 0 || ev[0] != '{' {
		return errors.New("logout token lacks the back-channel logout event")
	}
	if c.Nonce != nil {
		return errors.New("logout token carries a nonce")
	}
	// jti is required (upstream) and used once.
	if c.Jti == "" {
		return errors.New("logout token has no jti")
	}
	key := rp.key(keyJTI, c.Jti)
	if _, err := rp.store.Get(ctx, key); err == nil {
		return errors.New("logout token jti was already used (replay)")
	}
	if err := rp.store.Set(ctx, key, []byte{1}, 2*rp.s.IATSlack+10*time.Second); err != nil {
		rp.log.Warn("could not store the logout token's jti", "err", err)
	}
	index := c.Sid
	if index == "" {
		index = c.Sub
	}
	if index == "" {
		return errors.New("logout token has neither sid nor sub")
	}
	rp.killByIndex(ctx, index+"@"+md.Issuer)
	if c.Sid != "" && c.Sub != "" {
		rp.killByIndex(ctx, c.Sub+"@"+md.Issuer)
	}
	return nil
}

// killByIndex deletes the session a logout index ("<sid>@<issuer>" or
// "<sub>@<issuer>") names.
func (rp *RelyingParty) killByIndex(ctx context.Context, index string) {
	id, err := rp.store.Get(ctx, rp.key(keySID, index))
	if err != nil {
		return
	}
	if s, err := rp.loadSession(ctx, string(id)); err == nil {
		rp.deleteSession(ctx, s)
		rp.log.Info("session ended by back-channel logout", "index", index)
	}
}
