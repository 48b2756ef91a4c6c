package expr

import "strings"

// fakeVars is a request for tests.
type fakeVars struct {
	vars  map[string]string
	hdr   map[string]string // keys in lower case
	resp  map[string]string
	env   map[string]string
	notes map[string]string
	os    map[string]string
}

func (f *fakeVars) Var(name string) string { return f.vars[name] }
func (f *fakeVars) Header(name string) string {
	return f.hdr[strings.ToLower(name)]
}
func (f *fakeVars) ResponseHeader(name string) string {
	return f.resp[strings.ToLower(name)]
}
func (f *fakeVars) Env(name string) (string, bool) {
	v, ok := f.env[name]
	return v, ok
}
func (f *fakeVars) Note(name string) (string, bool) {
	v, ok := f.notes[name]
	return v, ok
}
func (f *fakeVars) OSEnv(name string) (string, bool) {
	v, ok := f.os[name]
	return v, ok
}

var _ Vars = (*fakeVars)(nil)

func defaultVars() *fakeVars {
	return &fakeVars{
		vars: map[string]string{
			"REQUEST_METHOD": "GET", "REQUEST_URI": "/app/x", "QUERY_STRING": "a=1&b=2",
			"REMOTE_ADDR": "10.1.2.3", "REMOTE_USER": "alice", "AUTH_TYPE": "openid-connect",
			"HTTPS": "off", "REQUEST_SCHEME": "http", "SERVER_NAME": "www.example.com",
			"THE_REQUEST": "GET /app/x?a=1&b=2 HTTP/1.1", "SERVER_PROTOCOL": "HTTP/1.1",
		},
		hdr: map[string]string{
			"host": "www.example.com", "user-agent": "curl/8.0", "x-num": "42",
			"x-mixed": "Hello World", "accept": "text/html",
		},
		resp:  map[string]string{"content-type": "text/plain"},
		env:   map[string]string{"OIDC_CLAIM_email": "alice@example.com", "EMPTY": ""},
		notes: map[string]string{"n1": "note-one", "OIDC_CLAIM_email": "from-note"},
		os:    map[string]string{"HOME": "/root", "PATH": "/bin"},
	}
}
