package oidc

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
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

// TestHeaderIndexReuse: the name index goes back emptied when the
// exchange ends and the next request's identity headers are set as on a
// fresh index; an oversized one is dropped.
func TestHeaderIndexReuse(t *testing.T) {
	var pool headerIndexes
	for i, c := range []struct {
		client http.Header
		set    []string
		want   []string
	}{
		{client: http.Header{"Accept": {"*/*"}}, set: []string{"OIDC_CLAIM_sub", "OIDC_CLAIM_Email"}, want: []string{"Accept", "OIDC_CLAIM_Email", "OIDC_CLAIM_sub"}},
		{client: http.Header{"Oidc_claim_email": {"client"}}, set: []string{"OIDC_CLAIM_email", "OIDC_CLAIM_EMAIL"}, want: []string{"OIDC_CLAIM_EMAIL"}},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header = c.client
		x := &exchange{r: r, indexes: &pool}
		x.reserveHeaders(len(c.set))
		for _, n := range c.set {
			x.setHeader(n, "v")
		}
		var got []string
		for k := range r.Header {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("request %d: headers %q, want %q", i, got, c.want)
		}
		m := x.hdrIdx
		x.releaseIndex()
		if x.hdrIdx != nil || len(m) != 0 {
			t.Errorf("request %d: index kept or not emptied: %v", i, m)
		}
	}
	big := make(map[string]string)
	for i := 0; i <= maxPooledIndex; i++ {
		big[strconv.Itoa(i)] = ""
	}
	x := &exchange{indexes: &pool, hdrIdx: big}
	x.releaseIndex()
	if len(big) == 0 {
		t.Error("an oversized index was emptied for reuse")
	}
}
