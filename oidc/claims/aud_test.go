package claims

import "testing"

func TestCheckIDTokenAud(t *testing.T) {
	const cid = "client1"
	tests := []struct {
		aud    string
		values []string
		ok     bool
	}{
		// no values: nothing passes (the caller checks 2.4.12.3's rule)
		{`"client1"`, nil, false},
		{`["client1"]`, nil, false},
		{`"client1"`, []string{}, false},
		{`null`, []string{""}, false},
		{` "client1" `, []string{"@"}, true},
		{`{"a":"client1"}`, []string{"@"}, false},
		{`[]`, []string{"@"}, false},
		{`null`, []string{"@"}, false},
		// upstream's exhaustive list
		{`"other"`, []string{"@", "other"}, true},
		{`"client1"`, []string{"@", "other"}, true},
		{`"client1"`, []string{"other"}, false},
		{`"@"`, []string{"other"}, false},
		{`["client1","other"]`, []string{"@", "other"}, true},
		{`["other","client1"]`, []string{"@", "other"}, true},
		{`["client1"]`, []string{"@", "other"}, false},
		{`["client1","other","third"]`, []string{"@", "other"}, false},
		{`["client1","client1"]`, []string{"@"}, false},
		{`["client1","x"]`, []string{"@", "@"}, true}, // upstream counts: room for one more
		{`["client1",1]`, []string{"@", "other"}, false},
		{`5`, []string{"@"}, false},
	}
	for _, tt := range tests {
		err := CheckIDTokenAud([]byte(tt.aud), cid, tt.values)
		if (err == nil) != tt.ok {
			t.Errorf("aud %s values %q: err %v, want ok=%v", tt.aud, tt.values, err, tt.ok)
		}
	}
	if CheckIDTokenAud(nil, cid, []string{"@"}) == nil {
		t.Error("a missing aud must fail")
	}
}
