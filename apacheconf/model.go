package apacheconf

import (
	"regexp"

	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// Config is a compiled configuration: what oidcgate serves. It is immutable
// once Compile returns; a reload builds a new one.
type Config struct {
	// ServerRoot after reading.
	ServerRoot string
	// Listens are the Listen directives in file order.
	Listens []Listen
	// Main is the main server: directives outside any <VirtualHost>. Its
	// settings are the base every virtual host is merged onto.
	Main *Server
	// VHosts are the <VirtualHost> sections in file order, each already
	// merged onto the main server's final settings.
	VHosts []*Server
	// Modules is the module set the read pass ended with.
	Modules *ModuleSet
	// Defines are the parameters defined when reading ended.
	Defines []string
	// Tree is the read tree the config was compiled from (for lint and
	// routes).
	Tree *Tree
	// PidFile is the PidFile path as Apache resolves it (relative to
	// DefaultRuntimeDir, by default ServerRoot/logs); "" when unset.
	PidFile    string
	PidFilePos Pos
	// RuntimeDir is DefaultRuntimeDir (absolute), "" when unset.
	RuntimeDir string
}

// Listen is one Listen directive: [addr:]port [protocol].
type Listen struct {
	Pos Pos
	// Host is the address part ("" for all addresses; IPv6 without brackets).
	Host string
	Port int
	// Proto is the optional protocol argument ("http", "https"), lower-case.
	Proto string
}

// VHostAddr is one address of a <VirtualHost> line.
type VHostAddr struct {
	// Host is "*" , "_default_", an IP literal (IPv6 without brackets) or a
	// host name as written.
	Host string
	// Port is 0 when the address has no port and -1 for ":*".
	Port int
}

// Server is the main server or one virtual host.
type Server struct {
	Pos       Pos
	IsVirtual bool
	// Addrs are the <VirtualHost> addresses (empty for the main server).
	Addrs []VHostAddr
	// Name is ServerName without scheme and port; NameScheme and NamePort
	// keep what ServerName said about them (ServerName https://x:8443).
	Name       string
	NameScheme string
	NamePort   int
	NamePos    Pos
	// Aliases are the ServerAlias names in order (wildcards kept).
	Aliases []string
	// Sections are the per-directory sections of this server in file order
	// (for a virtual host, after the main server's are merged in: the main
	// server's sections come first, as Apache appends the vhost's).
	Sections []*Section
	// Dir holds the per-directory settings given at server level (outside
	// any section): the base of every request's merge.
	Dir *DirConfig

	// Module-specific server-level settings. A nil slot means nothing was
	// configured for that module at this level.
	Core  *CoreServer
	Proxy *ProxyServer
	Log   *LogServer
	Alias *AliasServer
	SSL   *SSLServer
	OIDC  *OIDCServer

	// opener is "<VirtualHost" as written, for context errors.
	opener string
}

// SectionKind is the type of a per-directory section.
type SectionKind uint8

const (
	SecDirectory SectionKind = iota
	SecDirectoryMatch
	SecFiles
	SecFilesMatch
	SecLocation
	SecLocationMatch
	SecProxy
	SecProxyMatch
	SecIf
	SecElseIf
	SecElse
	SecLimit
	SecLimitExcept
)

var sectionKindNames = [...]string{"Directory", "DirectoryMatch", "Files", "FilesMatch", "Location", "LocationMatch", "Proxy", "ProxyMatch", "If", "ElseIf", "Else", "Limit", "LimitExcept"}

func (k SectionKind) String() string { return sectionKindNames[k] }

// Section is one per-directory section with the settings written inside it.
type Section struct {
	Kind SectionKind
	Pos  Pos
	// Arg is the section's argument as written (path, URL, pattern,
	// expression, methods).
	Arg string
	// Regex is set for the regex forms (…Match, and "~" arguments).
	Regex *regexp.Regexp
	// Wildcard is true for a Location/Directory/Files argument with fnmatch
	// characters (*, ?, [), matched whole-string with fnmatch.
	Wildcard bool
	// Methods are the methods of <Limit>/<LimitExcept>, upper-case.
	Methods []string
	// Expr is the parsed condition of <If>/<ElseIf>, evaluated per request.
	Expr *expr.Expr
	// Parent is the enclosing section for nested ones (<Files> in
	// <Directory>, <If> in <Location>), nil otherwise.
	Parent *Section
	// Nested are the sections written inside this one, in file order.
	Nested []*Section
	Dir    *DirConfig
	// opener is the section's opening word as written ("<location"), which
	// Apache quotes in context errors.
	opener string
}

// DirConfig holds per-directory settings, one slot per module. A nil slot
// means the section set nothing for that module. Merge combines two with
// Apache's per-directive rules.
type DirConfig struct {
	Core    *CoreDir
	Authz   *AuthzDir
	Alias   *AliasDir
	Proxy   *ProxyDir
	Headers *HeadersDir
	Env     *EnvDir
	OIDC    *OIDCDir
	// SSLProxy holds the SSLProxy* directives of <Proxy> sections (only
	// the Proxy* fields are used); they override the server's for the
	// backends the section matches.
	SSLProxy *SSLServer
}

// Merge returns base with add merged on top, as Apache merges a later
// matching section onto the accumulated configuration. Neither argument is
// modified; either may be nil.
func (base *DirConfig) Merge(add *DirConfig) *DirConfig {
	if base == nil {
		base = &DirConfig{}
	}
	if add == nil {
		add = &DirConfig{}
	}
	return &DirConfig{
		Core:    base.Core.Merge(add.Core),
		Authz:   base.Authz.Merge(add.Authz),
		Alias:   base.Alias.Merge(add.Alias),
		Proxy:   base.Proxy.Merge(add.Proxy),
		Headers: base.Headers.Merge(add.Headers),
		Env:     base.Env.Merge(add.Env),
		OIDC:    base.OIDC.Merge(add.OIDC),
		// Later sections win field by field, as a vhost over the main
		// server.
		SSLProxy: base.SSLProxy.MergeVHost(add.SSLProxy),
	}
}

// Options says what to read and how; the zero value reads Debian's layout.
type Options struct {
	// File is the main configuration file (-f); relative to ServerRoot when
	// not absolute. Default "apache2.conf".
	File string
	// ServerRoot is the initial server root (-d). Default "/etc/apache2".
	ServerRoot string
	// Defines are -D parameters, in order.
	Defines []string
	// LookupEnv resolves ${VAR} after Define'd variables; nil means no
	// environment (cmd/ passes os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// Envvars controls loading of Debian's envvars file; see EnvvarsMode.
	Envvars EnvvarsMode
	// EnvvarsFile overrides <ServerRoot>/envvars.
	EnvvarsFile string
	// Registry defaults to DefaultRegistry().
	Registry *Registry
	// Strict reads exactly as Apache does, without oidcgate's fragment
	// mode (configtest --apache and the Apache command names use it).
	Strict bool
}

// EnvvarsMode says whether Debian's envvars shell fragment is read.
type EnvvarsMode uint8

const (
	// EnvvarsAuto reads <ServerRoot>/envvars when the main file is
	// <ServerRoot>/apache2.conf (Debian's layout).
	EnvvarsAuto EnvvarsMode = iota
	// EnvvarsOn always reads it when it exists.
	EnvvarsOn
	// EnvvarsOff never reads it.
	EnvvarsOff
)

// logPos is where the server's ErrorLog was written (zero when unset).
func (s *Server) logPos() Pos {
	if s.Log == nil {
		return Pos{}
	}
	return s.Log.ErrorLogPos
}
