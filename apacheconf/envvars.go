package apacheconf

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

// envvarsPath decides whether Debian's envvars file is loaded and where it
// is.
func envvarsPath(opts Options, root, mainFile string) (string, bool) {
	p := opts.EnvvarsFile
	if p == "" {
		p = filepath.Join(root, "envvars")
	}
	switch opts.Envvars {
	case EnvvarsOff:
		return "", false
	case EnvvarsAuto:
		if filepath.Base(mainFile) != "apache2.conf" || filepath.Dir(mainFile) != filepath.Clean(root) {
			return "", false
		}
	}
	if _, err := os.Stat(p); err != nil {
		return "", false
	}
	return p, true
}

// loadEnvvars reads the `NAME=value` and `export NAME=value` lines of a
// Debian envvars shell fragment (no general shell: $NAME and ${NAME} are
// substituted from earlier lines and the environment, quotes removed, every
// other line skipped) and returns a lookup that consults the real
// environment first and the file second, as sourcing it from a wrapper that
// kept existing variables would. SUFFIX is computed from the server root
// as Debian's file does for /etc/apache2-NAME instances.
func loadEnvvars(path, root string, env func(string) (string, bool)) (func(string) (string, bool), Diagnostics) {
	data, err := os.ReadFile(path)
	if err != nil {
		return env, Diagnostics{{Severity: SevWarning, Stage: StageRead, Pos: Pos{File: path}, Msg: "cannot read envvars: " + errnoText(err)}}
	}
	vals := map[string]string{"APACHE_CONFDIR": root, "SUFFIX": ""}
	if rest, ok := strings.CutPrefix(root, "/etc/apache2-"); ok {
		vals["SUFFIX"] = "-" + rest
	}
	get := func(name string) (string, bool) {
		if env != nil {
			if v, ok := env(name); ok {
				return v, true
			}
		}
		v, ok := vals[name]
		return v, ok
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	depth := 0 // inside if/case blocks we only track nesting
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#':
			continue
		case strings.HasPrefix(line, "if ") || strings.HasPrefix(line, "case "):
			depth++
			continue
		case line == "fi" || line == "esac":
			depth--
			continue
		}
		if depth > 0 {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, value, ok := strings.Cut(line, "=")
		if !ok || !isShellName(name) {
			continue
		}
		vals[name] = shellValue(value, get)
		names = append(names, name)
	}
	lookup := func(name string) (string, bool) {
		if env != nil {
			if v, ok := env(name); ok {
				return v, true
			}
		}
		if name == "SUFFIX" || name == "APACHE_CONFDIR" {
			return "", false
		}
		v, ok := vals[name]
		return v, ok
	}
	return lookup, Diagnostics{{Severity: SevInfo, Stage: StageRead, Pos: Pos{File: path},
		Msg: "loaded Debian envvars: " + strings.Join(names, ", ")}}
}

func isShellName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// shellValue evaluates the right-hand side of a simple assignment.
func shellValue(v string, get func(string) (string, bool)) string {
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == ' ' || c == '\t' || c == ';'):
			return b.String()
		case c == '$' && quote != '\'' && i+1 < len(v):
			name := ""
			if v[i+1] == '{' {
				if j := strings.IndexByte(v[i+2:], '}'); j >= 0 {
					name = v[i+2 : i+2+j]
					i += 2 + j
				}
			} else {
				j := i + 1
				for j < len(v) && (v[j] == '_' || v[j] >= 'A' && v[j] <= 'Z' || v[j] >= 'a' && v[j] <= 'z' || v[j] >= '0' && v[j] <= '9') {
					j++
				}
				name = v[i+1 : j]
				i = j - 1
			}
			if val, ok := get(name); ok {
				b.WriteString(val)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
