package oidc

import (
	"net/http/httptest"
	"reflect"
	"testing"
)

// TestReservedHeaderValues: identity headers set after reserveHeaders
// share one backing array, yet each is its own one-value slice — an
// append to one (RequestHeader add after authentication) must not
// overwrite the next, and a replaced header (case-insensitive) goes.
func TestReservedHeaderValues(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Oidc_claim_sub", "spoofed")
	r.Header.Set("Accept", "*/*")
	x := &exchange{r: r}
	x.reserveHeaders(2)
	x.setHeader("OIDC_CLAIM_sub", "alice")
	x.setHeader("OIDC_CLAIM_email", "a@example.org")
	x.setHeader("OIDC_CLAIM_name", "Alice") // beyond the reserved room
	for name, want := range map[string][]string{"OIDC_CLAIM_sub": {"alice"}, "OIDC_CLAIM_email": {"a@example.org"}, "OIDC_CLAIM_name": {"Alice"}, "Accept": {"*/*"}} {
		if got := r.Header[name]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, ok := r.Header["Oidc_claim_sub"]; ok {
		t.Errorf("the spoofed spelling stayed: %v", r.Header)
	}
	if got := cap(r.Header["OIDC_CLAIM_sub"]); got != 1 {
		t.Errorf("capacity %d, want 1", got)
	}
	r.Header["OIDC_CLAIM_sub"] = append(r.Header["OIDC_CLAIM_sub"], "added")
	if got := r.Header["OIDC_CLAIM_email"]; !reflect.DeepEqual(got, []string{"a@example.org"}) {
		t.Errorf("an append to the previous header changed this one: %q", got)
	}
	if len(r.Header) != 4 {
		t.Errorf("headers %v", r.Header)
	}
}
