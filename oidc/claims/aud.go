package claims

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// AudClientID is the OIDCIDTokenAudValues word that stands for the
// configured client_id.
const AudClientID = "@"

// CheckIDTokenAud checks an id_token's "aud" claim (its raw JSON) against
// current upstream's OIDCIDTokenAudValues (src/proto/id_token.c
// oidc_proto_idtoken_validate_aud_and_azp; 2.4.12.3 has no such
// directive). Without the directive the caller keeps 2.4.12.3's rule (aud
// contains the client_id), which go-oidc's verifier checks.
//
// The values ("@" = clientID) are exhaustive: a string must equal one of
// them; an array must contain every one of them and have no more elements
// than values were configured (upstream compares the counts, so a value
// configured twice leaves room for one unlisted element). Any other JSON
// type is refused, and so is every aud when no values are given.
func CheckIDTokenAud(aud json.RawMessage, clientID string, values []string) error {
	if len(values) == 0 {
		return fmt.Errorf("no OIDCIDTokenAudValues to check the id_token aud against")
	}
	aud = bytes.TrimSpace(aud)
	if len(aud) == 0 {
		return fmt.Errorf("id_token has no aud")
	}
	var s string
	if aud[0] == '"' && json.Unmarshal(aud, &s) == nil {
		for _, v := range values {
			if resolveAud(v, clientID) == s {
				return nil
			}
		}
		return fmt.Errorf("id_token aud %q is none of OIDCIDTokenAudValues", s)
	}
	var arr []json.RawMessage
	if aud[0] != '[' || json.Unmarshal(aud, &arr) != nil {
		return fmt.Errorf("id_token aud is neither a string nor an array")
	}
	has := func(want string) bool {
		for _, e := range arr {
			var es string
			if json.Unmarshal(e, &es) == nil && es == want {
				return true
			}
		}
		return false
	}
	for _, v := range values {
		if !has(resolveAud(v, clientID)) {
			return fmt.Errorf("id_token aud does not contain the configured audience %q", v)
		}
	}
	if len(arr) > len(values) {
		return fmt.Errorf("id_token aud contains values beyond OIDCIDTokenAudValues")
	}
	return nil
}

func resolveAud(v, clientID string) string {
	if v == AudClientID {
		return clientID
	}
	return v
}
