package apacheconf

// coreSpecs are the structural directives that the reader and the compiler
// carry out themselves: read-time directives, sections, virtual hosts,
// names and listeners. Class, override and help follow Apache 2.4's
// core.c, mod_so.c, mod_version.c, listen.c and mod_proxy.c tables.
var coreSpecs = []Spec{
	// Read-time directives (EXEC_ON_READ): carried out by the reader.
	{Name: "Include", Module: "core", Class: Take1, Override: RsrcConf | AccessConf, Help: "Name(s) of the config file(s) to be included; fails if the wildcard does not match at least one file"},
	{Name: "IncludeOptional", Module: "core", Class: Take1, Override: RsrcConf | AccessConf, Help: "Name or pattern of the config file(s) to be included; ignored if the file does not exist or the pattern does not match any files"},
	{Name: "Define", Module: "core", Class: Take12, Override: RsrcConf | AccessConf, Help: "Define a variable, optionally to a value.  Same as passing -D to the command line."},
	{Name: "UnDefine", Module: "core", Class: Take1, Override: RsrcConf | AccessConf, Help: "Undefine the existence of a variable. Undo a Define."},
	{Name: "DefaultRuntimeDir", Module: "core", Class: Take1, Override: RsrcConf, Help: "Common directory for run-time files (shared memory, locks, etc.)", Status: Ignored, Reason: "oidcgate keeps no run-time files; Apache's check that the directory exists only affects configtest --apache"},
	{Name: "ServerRoot", Module: "core", Class: Take1, Override: RsrcConf, Help: "Common directory of server-related files (logs, confs, etc.)"},
	{Name: "LoadModule", Module: "mod_so", Class: Take2, Override: RsrcConf, Help: "a module name and the name of a shared object file to load it from"},
	{Name: "LoadFile", Module: "mod_so", Class: Iterate, Override: RsrcConf, Help: "shared object file or library to load into the server at runtime", Status: Ignored, Reason: "oidcgate loads no shared libraries; the file is not opened"},
	{Name: "<IfModule", Module: "core", Class: Take1, Override: OrAll, Help: "Container for directives based on existence of specified modules"},
	{Name: "<IfDefine", Module: "core", Class: Take1, Override: OrAll, Help: "Container for directives based on existence of command line defines"},
	{Name: "<IfFile", Module: "core", Class: Take1, Override: OrAll, Help: "Container for directives based on existence of files on disk"},
	{Name: "<IfDirective", Module: "core", Class: RawArgs, Override: OrAll, Help: "Container for directives based on existence of named directive"},
	{Name: "<IfSection", Module: "core", Class: RawArgs, Override: OrAll, Help: "Container for directives based on existence of named section"},
	{Name: "<IfVersion", Module: "mod_version", Class: Take12, Override: OrAll, Help: "a comparison operator, a version (and a delimiter)"},

	// Sections compiled by the compiler.
	{Name: "<VirtualHost", Module: "core", Class: RawArgs, Override: RsrcConf, Check: GlobalOnly, Help: "Container to map directives to a particular virtual host, takes one or more host addresses"},
	{Name: "<Directory", Module: "core", Class: RawArgs, Override: RsrcConf, Help: "Container for directives affecting resources located in the specified directories"},
	{Name: "<DirectoryMatch", Module: "core", Class: RawArgs, Override: RsrcConf, Help: "Container for directives affecting resources located in the specified directories"},
	{Name: "<Location", Module: "core", Class: RawArgs, Override: RsrcConf, Help: "Container for directives affecting resources accessed through the specified URL paths"},
	{Name: "<LocationMatch", Module: "core", Class: RawArgs, Override: RsrcConf, Help: "Container for directives affecting resources accessed through the specified URL paths"},
	{Name: "<Files", Module: "core", Class: RawArgs, Override: OrAll, Help: "Container for directives affecting files matching specified patterns"},
	{Name: "<FilesMatch", Module: "core", Class: RawArgs, Override: OrAll, Help: "Container for directives affecting files matching specified patterns"},
	{Name: "<If", Module: "core", Class: RawArgs, Override: OrAll, Help: "Container for directives to be conditionally applied"},
	{Name: "<ElseIf", Module: "core", Class: RawArgs, Override: OrAll, Help: "Container for directives to be conditionally applied"},
	{Name: "<Else", Module: "core", Class: NoArgs, Override: OrAll, Help: "Container for directives to be conditionally applied"},
	{Name: "<Proxy", Module: "mod_proxy", Class: RawArgs, Override: RsrcConf, Help: "Container for directives affecting resources located in the proxied location"},
	{Name: "<ProxyMatch", Module: "mod_proxy", Class: RawArgs, Override: RsrcConf, Help: "Container for directives affecting resources located in the proxied location, in regular expression syntax"},

	// Names and listeners.
	{Name: "ServerName", Module: "core", Class: Take1, Override: RsrcConf, Help: "The hostname and port of the server"},
	{Name: "ServerAlias", Module: "core", Class: RawArgs, Override: RsrcConf, Help: "A name or names alternately used to access the server"},
	{Name: "Listen", Module: "mpm_common", Class: TakeArgv, Override: RsrcConf, Check: GlobalOnly, Help: "A port number or a numeric IP address and a port number, and an optional protocol"},
}

// coreHandlers compile the structural directives. Read-time directives have
// no handlers: the reader carried them out.
var coreHandlers = map[string]handler{
	"servername":  compileServerName,
	"serveralias": compileServerAlias,
	"listen":      compileListen,
}
