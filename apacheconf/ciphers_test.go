package apacheconf

import (
	"crypto/tls"
	"reflect"
	"testing"
)

func TestParseCipherList(t *testing.T) {
	for _, tt := range []struct {
		in               string
		suites           []uint16
		unknown, aliases []string
	}{
		{"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384", []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}, nil, nil},
		{"ECDHE-ECDSA-AES128-GCM-SHA256 AES128-SHA,AES128-SHA", []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA}, nil, nil},
		{"AES128-SHA:AES256-SHA:!AES128-SHA", []uint16{tls.TLS_RSA_WITH_AES_256_CBC_SHA}, nil, nil},
		{"AES128-SHA:-AES128-SHA", nil, nil, nil},
		{"DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:!DHE-DSS-AES128-SHA", []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, []string{"DHE-RSA-AES128-GCM-SHA256"}, nil},
		{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", nil, []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, nil}, // OpenSSL 3 wants its own names
		{"HIGH:!aNULL:!MD5", nil, nil, []string{"HIGH", "!aNULL", "!MD5"}},
		{"ECDHE+AESGCM:@SECLEVEL=2", nil, nil, []string{"ECDHE+AESGCM", "@SECLEVEL=2"}},
		{"RC4-SHA", nil, []string{"RC4-SHA"}, nil},
	} {
		cl := ParseCipherList(tt.in)
		if !reflect.DeepEqual(cl.Suites, tt.suites) && !(len(cl.Suites) == 0 && len(tt.suites) == 0) ||
			!reflect.DeepEqual(cl.Unknown, tt.unknown) || !reflect.DeepEqual(cl.Aliases, tt.aliases) {
			t.Errorf("%q: %+v", tt.in, cl)
		}
	}
}
