package proxy

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestByRequests(t *testing.T) {
	mk := func(name string, factor int, standby bool) *lbMember {
		return &lbMember{url: &url.URL{Host: name}, factor: factor, standby: standby, retry: time.Minute}
	}
	seq := func(st *lbState, n int, now time.Time) string {
		var out []string
		for range n {
			if m := st.pick(now); m != nil {
				out = append(out, m.url.Host)
			} else {
				out = append(out, "-")
			}
		}
		return strings.Join(out, ",")
	}
	now := time.Unix(1000, 0)
	// Apache 2.4.71 served m2,m1,m2,m2,m2,m1,m2,m2 for load factors 1 and 3.
	st := &lbState{members: []*lbMember{mk("m1", 1, false), mk("m2", 3, false)}}
	if got := seq(st, 8, now); got != "m2,m1,m2,m2,m2,m1,m2,m2" {
		t.Errorf("weighted: %s", got)
	}
	st = &lbState{members: []*lbMember{mk("m1", 1, false), mk("m3", 1, true)}}
	if got := seq(st, 3, now); got != "m1,m1,m1" {
		t.Errorf("standby unused while m1 is up: %s", got)
	}
	st.fail(st.members[0], now)
	if got := seq(st, 2, now); got != "m3,m3" {
		t.Errorf("standby while m1 is in error: %s", got)
	}
	if got := seq(st, 1, now.Add(2*time.Minute)); got != "m1" {
		t.Errorf("m1 back after its retry period: %s", got)
	}
	st.fail(st.members[0], now)
	st.fail(st.members[1], now)
	if got := seq(st, 1, now); got != "-" {
		t.Errorf("all in error: %s", got)
	}
}
