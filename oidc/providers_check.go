package oidc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// MetadataProblem is something `oidcgate lint` reports about a file of an
// OIDCMetadataDir.
type MetadataProblem struct {
	File string
	Msg  string
	// Error: the provider cannot be used; otherwise a warning.
	Error bool
}

// confNotHonoured are the .conf keys 2.4.12.3 reads that oidcgate does not
// apply (with what happens instead).
var confNotHonoured = map[string]string{
	"jwks_refresh_interval":             "the provider's keys are fetched again on an unknown kid",
	"keys":                              "client keys in .conf are not used",
	"request_object":                    "no request object is sent",
	"token_endpoint_tls_client_cert":    "no TLS client certificate is presented",
	"token_endpoint_tls_client_key":     "no TLS client certificate is presented",
	"token_endpoint_tls_client_key_pwd": "no TLS client certificate is presented",
	"token_binding_policy":              "token binding is not implemented",
	"issuer_specific_redirect_uri":      "the redirect URI carries no iss parameter",
}

// CheckMetadataDir reads an OIDCMetadataDir as the relying party would
// and returns what does not work or is not honoured, file by file.
func CheckMetadataDir(dir string, now time.Time) []MetadataProblem {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return []MetadataProblem{{File: dir, Msg: "cannot read the metadata directory: " + err.Error(), Error: true}}
	}
	var out []MetadataProblem
	add := func(file, msg string, isErr bool) { out = append(out, MetadataProblem{file, msg, isErr}) }
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") || filepath.Ext(name) != ".provider" {
			continue
		}
		stem := strings.TrimSuffix(name, ".provider")
		provPath := filepath.Join(dir, name)
		b, err := os.ReadFile(provPath)
		if err != nil {
			add(provPath, err.Error(), true)
			continue
		}
		var raw map[string]any
		_ = json.Unmarshal(b, &raw)
		iss, _ := raw["issuer"].(string)
		doc, err := parseProviderMetadata(b, iss, provPath)
		if err != nil {
			add(provPath, err.Error(), true)
			continue
		}
		if issuerFilename(doc.Issuer) != stem {
			add(provPath, "the file name does not match the issuer "+doc.Issuer+" (want "+issuerFilename(doc.Issuer)+".provider)", true)
		}
		if !strings.HasPrefix(doc.Issuer, "https://") {
			add(provPath, "an http issuer is not listed on the choice page (as in mod_auth_openidc); users can type it in or be sent with ?iss=", false)
		}
		confPath := filepath.Join(dir, stem+".conf")
		if cb, err := os.ReadFile(confPath); err == nil {
			s := Settings{}
			if err := applyConf(&s, cb, doc.Issuer, confPath); err != nil {
				add(confPath, err.Error(), true)
			}
			var conf map[string]any
			_ = json.Unmarshal(cb, &conf)
			var keys []string
			for k := range conf {
				if _, ok := confNotHonoured[k]; ok {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				add(confPath, "\""+k+"\" is not honoured by oidcgate: "+confNotHonoured[k], false)
			}
			if rt, ok := conf["response_type"].(string); ok && validResponseType(rt) && rt != "code" {
				add(confPath, "response_type \""+rt+"\" is not implemented (only code): the provider is refused", true)
			}
		}
		clientPath := filepath.Join(dir, stem+".client")
		cl, err := readClient(clientPath, doc.Issuer, now)
		switch {
		case err != nil && os.IsNotExist(err) && doc.RegistrationEndpoint != "":
			add(clientPath, "absent: the relying party registers itself at "+doc.RegistrationEndpoint+" on first use (the directory must be writable)", false)
		case err != nil && os.IsNotExist(err):
			add(clientPath, "absent, and the provider has no registration_endpoint: the provider cannot be used", true)
		case err != nil:
			add(clientPath, err.Error(), doc.RegistrationEndpoint == "")
		case len(cl.ResponseTypes) > 0 && !has(cl.ResponseTypes, "code"):
			add(clientPath, "response_types "+strings.Join(cl.ResponseTypes, ", ")+" lack code (the only flow implemented): the provider is refused", true)
		}
	}
	return out
}
