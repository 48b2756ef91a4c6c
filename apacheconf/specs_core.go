package apacheconf

// coreHandlers compile the structural directives. Read-time directives have
// no handlers: the reader carried them out.
var coreHandlers = map[string]handler{
	"servername":  compileServerName,
	"serveralias": compileServerAlias,
	"listen":      compileListen,
	"pidfile":     compilePidFile,
}

// compilePidFile records PidFile; a relative name is under
// DefaultRuntimeDir, or ServerRoot/logs without one (Apache's default).
func compilePidFile(c *walkCtx, n *Node) {
	conf := c.cfg()
	conf.PidFile, conf.PidFilePos = n.Args[0].Text, n.Pos
}
