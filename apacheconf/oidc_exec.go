package apacheconf

import (
	"bufio"
	"context"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/oidcgate/oidcgate/internal/logsink"
)

// execLineMax is Apache's MAX_STRING_LEN less the terminating NUL: the
// longest first line ap_get_exec_line keeps.
const execLineMax = 8191

// execTimeout bounds a passphrase command (Apache waits for ever).
const execTimeout = 30 * time.Second

// execPassphrase runs the command of an "exec:" passphrase as
// mod_auth_openidc 2.4.12.3 does when it reads OIDCCryptoPassphrase or
// OIDCClientTokenEndpointKeyPassword (oidc_set_passphrase_slot and
// Apache's ap_get_exec_line): the words split as apr_tokenize_to_argv
// does, the program ServerRoot-relative and run directly (no shell, no
// PATH lookup) with an empty environment in its own directory; the value
// is its first output line. An empty line — also a program that cannot be
// run — is Apache's error. msg is that error, "" on success.
func execPassphrase(root, cmdline string) (value, msg string) {
	argv := logsink.Tokenize(cmdline)
	if len(argv) == 0 {
		return "", "Unable to parse exec arguments from " + cmdline
	}
	argv[0] = serverRootRelative(root, argv[0])
	empty := `the output of the crypto passphrase generation command is empty (perhaps you need to pass it to bash -c "<cmd>"?)`
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0])
	cmd.Args, cmd.Env, cmd.Dir = argv, []string{}, filepath.Dir(argv[0])
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", empty
	}
	if err := cmd.Start(); err != nil {
		return "", empty
	}
	defer cmd.Wait()
	r := bufio.NewReader(out)
	var line []byte
	for len(line) < execLineMax {
		c, err := r.ReadByte()
		if err != nil || c == '\n' || c == '\r' {
			break
		}
		line = append(line, c)
	}
	out.Close() // a program that writes on gets SIGPIPE, as with Apache
	if len(line) == 0 {
		return "", empty
	}
	return string(line), ""
}
