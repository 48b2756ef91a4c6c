package apacheconf

// coreHandlers compile the structural directives. Read-time directives have
// no handlers: the reader carried them out.
var coreHandlers = map[string]handler{
	"servername":  compileServerName,
	"serveralias": compileServerAlias,
	"listen":      compileListen,
}
