package h1field

import "testing"

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name, value   string
		nameOK, valOK bool
		line          string
	}{
		{"OIDC_CLAIM_sub", "zoe", true, true, "OIDC_CLAIM_sub: zoe\r\n"},
		{"X-A", " \tpadded value\t ", true, true, "X-A: padded value\r\n"},
		{"X-Tab", "a\tb", true, true, "X-Tab: a\tb\r\n"},
		{"X-Utf8", "Zoë Ångström", true, true, "X-Utf8: Zoë Ångström\r\n"},
		{"", "v", false, true, ""},
		{"Bad Name", "v", false, true, ""},
		{"Bad:Name", "v", false, true, ""},
		{"X", "a\nb", true, false, ""},
		{"X", "a\rb", true, false, ""},
		{"X", "a\x00b", true, false, ""},
		{"X", "a\x7fb", true, false, ""},
	} {
		if err := CheckName(tc.name); (err == nil) != tc.nameOK {
			t.Errorf("CheckName(%q) = %v", tc.name, err)
		}
		if err := CheckValue(tc.name, tc.value); (err == nil) != tc.valOK {
			t.Errorf("CheckValue(%q) = %v", tc.value, err)
		}
		if tc.nameOK && tc.valOK {
			if got := string(AppendLine([]byte("x"), tc.name, tc.value)); got != "x"+tc.line {
				t.Errorf("AppendLine(%q, %q) = %q", tc.name, tc.value, got)
			}
		}
	}
}
