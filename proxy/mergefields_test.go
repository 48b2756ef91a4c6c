package proxy

import (
	"net/http"
	"reflect"
	"testing"
)

func TestMergeFields(t *testing.T) {
	for _, tc := range []struct {
		in, want http.Header
	}{
		{http.Header{"A": {"1"}}, http.Header{"A": {"1"}}},
		{http.Header{"A": {"1", "2"}, "B": {"x"}}, http.Header{"A": {"1, 2"}, "B": {"x"}}},
		{http.Header{"A": {"1", "", "3"}}, http.Header{"A": {"1, , 3"}}},
		{http.Header{"Cookie": {"a=1", "b=2"}}, http.Header{"Cookie": {"a=1, b=2"}}},
		{http.Header{}, http.Header{}},
	} {
		got := tc.in.Clone()
		mergeFields(got)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("mergeFields(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
