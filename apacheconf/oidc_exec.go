package apacheconf

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/oidcgate/oidcgate/internal/execline"
)

// oidcExecDirectives are the directives whose value may be "exec:program
// args": the value is then the first line the program prints, run when the
// configuration is read (and again at every reload). 2.4.12.3 has this for
// OIDCCryptoPassphrase and OIDCClientTokenEndpointKeyPassword
// (oidc_set_passphrase_slot); current upstream (oidc_cfg_parse_passphrase)
// also for OIDCClientSecret, which oidcgate follows outside configtest
// --apache (a secret that literally starts with "exec:" is not plausible,
// and configurations written for upstream rely on it), and for upstream's
// OIDCOAuthIntrospectionEndpointKeyPassword. OIDCCryptoPassphrase's second
// value (upstream's key rollover) is not read by oidcgate, and upstream's
// OIDCMetadataDir .client files, whose client_secret it would run too,
// stay literal here: they hold what a provider sent.
var oidcExecDirectives = map[string]bool{
	"oidccryptopassphrase":                      true,
	"oidcclienttokenendpointkeypassword":        true,
	"oidcclientsecret":                          true,
	"oidcoauthintrospectionendpointkeypassword": true,
}

// oidcExecUpstreamOnly are the exec: directives 2.4.12.3 takes literally.
var oidcExecUpstreamOnly = map[string]bool{"oidcclientsecret": true, "oidcoauthintrospectionendpointkeypassword": true}

// oidcExecSecret resolves an exec: value in place: v.String() becomes the
// program's first line, v.Words stay as written (so nothing that prints a
// configuration shows the secret). It returns the module's error text and
// a hint, or "" when the value is literal or the program gave a line.
func oidcExecSecret(key string, v *OIDCValue, env oidcParseEnv) (msg, hint string) {
	arg := v.String()
	// "exec:" alone is a literal value, as the module's length check has it.
	if len(arg) <= 5 || !strings.HasPrefix(arg, "exec:") || !oidcExecDirectives[key] {
		return "", ""
	}
	if env.strict && oidcExecUpstreamOnly[key] {
		return "", ""
	}
	rest := arg[5:]
	argv := execline.Tokenize(rest)
	if len(argv) == 0 {
		// apr gives no words; ap_server_root_relative then names the
		// server root itself, which cannot be run.
		argv = []string{""}
	}
	if !filepath.IsAbs(argv[0]) { // ap_server_root_relative, ".." resolved
		argv[0] = filepath.Join(env.root, argv[0])
	}
	argv[0] = filepath.Clean(argv[0])
	line, err := execline.Run(argv, execline.DefaultTimeout)
	if errors.Is(err, execline.ErrTimeout) {
		return "Unable to get passphrase from exec of " + rest,
			"the program wrote no line within " + execline.DefaultTimeout.String() + " (Apache would wait for ever); it is run without a shell, with an empty environment, in its own directory"
	}
	if line == "" {
		hint = "the program's first line of output was empty; it is run without a shell, with an empty environment, in its own directory"
		var se *execline.StartError
		if errors.As(err, &se) {
			hint = se.Error() + "; Apache reports this as empty output"
		}
		if oidcExecUpstreamOnly[key] {
			// upstream's text, its double space included
			return `the output of the  passphrase generation command is empty (perhaps you need to pass it to bash -c "<cmd>"?)`, hint
		}
		return `the output of the crypto passphrase generation command is empty (perhaps you need to pass it to bash -c "<cmd>"?)`, hint
	}
	v.secret, v.fromExec = line, true
	return "", ""
}

// FromExec reports whether the value is the output of an exec: program
// (String returns that output; Words hold the command as written).
func (v OIDCValue) FromExec() bool { return v.fromExec }
