package oidc

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// authState is what the state cookie carries from the authorization
// request to the callback.
type authState struct {
	Issuer       string `json:"i"`
	OriginalURL  string `json:"ou"`
	Method       string `json:"om"`
	ResponseType string `json:"rt"`
	ResponseMode string `json:"rm,omitempty"`
	Nonce        string `json:"n"`
	// Created is the creation time in unix microseconds.
	Created  int64  `json:"t"`
	Prompt   string `json:"pr,omitempty"`
	Verifier string `json:"ps,omitempty"`
}

// randomString is base64url (unpadded) of n random bytes, as
// oidc_proto_generate_random_string.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("oidc: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// stateHash binds a state to the browser as 2.4.12.3 does: base64url of
// SHA-1 over the left-most X-Forwarded-For and the User-Agent (each when
// configured and present) and the nonce — 27 characters.
func (rp *RelyingParty) stateHash(h http.Header, nonce string) string {
	d := sha1.New()
	if rp.s.StateInputXFF {
		if v := h.Get("X-Forwarded-For"); v != "" {
			first, _, _ := strings.Cut(v, ",")
			d.Write([]byte(strings.TrimSpace(first)))
		}
	}
	if rp.s.StateInputUA {
		d.Write([]byte(h.Get("User-Agent")))
	}
	d.Write([]byte(nonce))
	return base64.RawURLEncoding.EncodeToString(d.Sum(nil))
}

// pkceChallenge derives the code_challenge for method from verifier.
func pkceChallenge(method, verifier string) string {
	if method == "plain" {
		return verifier
	}
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (rp *RelyingParty) sealState(st *authState) (string, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	return rp.seal.seal(b)
}

func (rp *RelyingParty) openState(v string) (*authState, bool) {
	b, err := rp.seal.open(v)
	if err != nil {
		return nil, false
	}
	var st authState
	if json.Unmarshal(b, &st) != nil || st.Nonce == "" {
		return nil, false
	}
	return &st, true
}

func (rp *RelyingParty) stateExpired(st *authState) bool {
	created := time.UnixMicro(st.Created)
	return rp.now().After(created.Add(rp.s.StateTimeout))
}

// cleanStateCookies examines the request's state cookies except current:
// expired or undecryptable ones are deleted; with deleteOldest the oldest
// valid ones too until fewer than the maximum remain. It returns the
// number of valid ones left (oidc_clean_expired_state_cookies).
func (rp *RelyingParty) cleanStateCookies(x *exchange, current string, deleteOldest bool) int {
	type valid struct {
		name    string
		created int64
	}
	var live []valid
	examined := 0
	for _, c := range requestCookies(x.r.Header) {
		if !strings.HasPrefix(c[0], x.dir.StateCookiePrefix) || c[0] == current {
			continue
		}
		// Bounded work per request: a flood of fake state cookies costs
		// no more than a few real ones.
		if examined++; examined > maxStateCookiesExamined {
			break
		}
		st, ok := rp.openState(c[1])
		if !ok || rp.stateExpired(st) {
			x.setCookie(cookie{name: c[0], sameSite: x.cw.sameSiteNone()})
			continue
		}
		live = append(live, valid{c[0], st.Created})
	}
	if deleteOldest && rp.s.StateMaxCookies > 0 {
		for len(live) > 0 && len(live) >= rp.s.StateMaxCookies {
			oldest := 0
			for i, v := range live {
				if v.created < live[oldest].created {
					oldest = i
				}
			}
			x.setCookie(cookie{name: live[oldest].name, sameSite: x.cw.sameSiteNone()})
			live = append(live[:oldest], live[oldest+1:]...)
		}
	}
	return len(live)
}

// maxStateCookiesExamined bounds the state cookies one request can make
// the relying party decrypt.
const maxStateCookiesExamined = 64

// constantEqual compares two strings in constant time.
func constantEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
