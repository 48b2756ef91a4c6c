package oidc

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Client-cookie sessions (OIDCSessionType client-cookie, and server-cache
// with OIDCSessionCacheFallbackToCookie when the store fails): the whole
// session is the session cookie's value — the session JSON, zlib-deflated
// (as current upstream does), sealed with the OIDCCryptoPassphrase sealer
// (compact JWE dir/A256GCM), chunked per OIDCSessionCookieChunkSize. The
// plaintext is oidcgate's own format: a cookie written by the module is
// not read (its users log in once more) and the other way round.

// cookieSessions says sessions may live in cookies.
func (rp *RelyingParty) cookieSessions() bool {
	return rp.s.ClientCookieSession || rp.s.CacheFallbackToCookie
}

// maxCookieSession bounds a sealed session read from cookies: maxChunks
// chunks of a generous chunk size. maxSessionPlain bounds the inflated
// plaintext.
const (
	maxCookieSession = maxChunks * 8192
	maxSessionPlain  = 4 << 20
)

func (rp *RelyingParty) sealSession(s *session) (string, error) {
	c := *s
	c.view, c.inCookie, c.sealed = nil, false, ""
	b, err := json.Marshal(&c)
	if err != nil {
		return "", err
	}
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if _, err := w.Write(b); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return rp.seal.seal(z.Bytes())
}

var errBadCookieSession = errors.New("invalid client-cookie session")

// openSession decrypts and checks a sealed session. It must be for this
// client_id; the host binding (cd) is checked per request as for server
// sessions (existingSession).
// A decoded session is cached by its sealed value (cookieViews), as
// server sessions are by id: the same cookie is not decrypted, inflated,
// parsed and rendered again on every request.
func (rp *RelyingParty) openSession(sealed string) (*session, error) {
	if sealed == "" {
		return nil, errBadCookieSession
	}
	key := sha256.Sum256([]byte(sealed))
	if v := rp.cookieViews.get(key); v != nil {
		s := *v.s // per request: the caller may change it
		s.view = v
		return &s, nil
	}
	z, err := rp.seal.openLimit(sealed, maxCookieSession)
	if err != nil {
		return nil, errBadCookieSession
	}
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, errBadCookieSession
	}
	plain, err := io.ReadAll(io.LimitReader(zr, maxSessionPlain+1))
	if err != nil || len(plain) > maxSessionPlain {
		return nil, errBadCookieSession
	}
	var s session
	if err := json.Unmarshal(plain, &s); err != nil || s.ClientID != rp.s.ClientID && rp.multi == nil || s.ID == "" || s.CookieDomain == "" {
		return nil, errBadCookieSession
	}
	s.inCookie = true
	v := rp.newView(nil, &s)
	if len(plain) <= maxCachedCookiePlain {
		rp.cookieViews.put(key, v)
	}
	c := s
	c.view = v
	return &c, nil
}

// maxCookieViews bounds the decoded client-cookie sessions a relying party
// keeps (when full it starts over); a session whose plaintext is larger
// than maxCachedCookiePlain is decoded per request instead.
const (
	maxCookieViews       = 1024
	maxCachedCookiePlain = 64 << 10
)

// cookieViewCache holds decoded client-cookie sessions by the SHA-256 of
// their sealed value. It belongs to one relying party (one virtual host,
// one client), and a value is only cached after it opened for it.
type cookieViewCache struct {
	mu sync.RWMutex
	m  map[[sha256.Size]byte]*sessionView
}

func (c *cookieViewCache) get(key [sha256.Size]byte) *sessionView {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[key]
}

func (c *cookieViewCache) put(key [sha256.Size]byte, v *sessionView) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCookieViews {
		c.m = map[[sha256.Size]byte]*sessionView{}
	}
	c.m[key] = v
}

// cookieSession reads the client-cookie session of the request, nil when
// there is none or it is not valid.
func (rp *RelyingParty) cookieSession(x *exchange) *session {
	v, ok := getChunkedCookie(x.r.Header, x.dir.CookieName, rp.s.SessionCookieChunkSize)
	if !ok || v == "" {
		return nil
	}
	s, err := rp.openSession(v)
	if err != nil {
		rp.log.Warn("could not decode client-cookie session", "err", err)
		return nil
	}
	return s
}

// saveCookieSession seals s for the session cookie setSessionCookie
// sends next; a session that would need more than maxChunks cookies is
// refused (upstream; 2.4.12.3 wrote it anyway).
func (rp *RelyingParty) saveCookieSession(s *session) error {
	if rp.s.ClientCookieSession {
		// 2.4.12.3 never keeps a JWT userinfo response in a client-cookie
		// session (oidc_store_userinfo_claims), nor the raw id_token
		// without :store_id_token (so no OIDCPassIDTokenAs serialized and
		// no id_token_hint at logout).
		s.UserInfoJWT = ""
		if !rp.s.CookieStoreIDToken {
			s.IDToken = ""
		}
	}
	s.inCookie = true
	v, err := rp.sealSession(s)
	if err != nil {
		return err
	}
	if cs := rp.s.SessionCookieChunkSize; cs > 0 && (len(v)+cs-1)/cs > maxChunks {
		return fmt.Errorf("%w: the session needs %d bytes, more than %d chunks of %d (OIDCSessionCookieChunkSize); use OIDCSessionType server-cache",
			errTooManyChunks, len(v), maxChunks, cs)
	}
	s.sealed = v
	return nil
}

// setCookieSession sends the sealed session as the (chunked) session
// cookie c, whose name and attributes setSessionCookie has chosen.
func (rp *RelyingParty) setCookieSession(x *exchange, s *session, c cookie) {
	if s.sealed == "" {
		if err := rp.saveCookieSession(s); err != nil {
			rp.log.Error("client-cookie session could not be saved", "err", err)
			return
		}
	}
	if err := x.setChunkedCookie(c.name, s.sealed, c.expires, rp.s.SessionCookieChunkSize, c.sameSite); err != nil {
		rp.log.Error("client-cookie session could not be saved", "err", err)
	}
}

// deleteSessionCookie deletes the session cookie and, where sessions may
// be cookies, the chunks the request presented.
func (x *exchange) deleteSessionCookie() {
	none := x.cw.sameSiteNone()
	x.setCookie(cookie{name: x.dir.CookieName, sameSite: none})
	if x.rp.cookieSessions() {
		x.clearChunks(x.dir.CookieName, "", none)
	}
}
