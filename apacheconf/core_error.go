package apacheconf

// Core directives that make Apache refuse the configuration: Error (its
// message) and the Apache 1.3 Port (replaced by Listen). Messages measured
// with apache2 -t (2.4.71).
var coreRefuseHandlers = map[string]handler{
	"error": compileError,
	"port":  compilePort,
}

// compileError refuses the configuration with the message, its enclosing
// quotes removed as Apache's generate_message does.
func compileError(c *walkCtx, n *Node) {
	msg := n.Raw
	if len(msg) >= 2 && (msg[0] == '"' || msg[0] == '\'') && msg[len(msg)-1] == msg[0] {
		msg = msg[1 : len(msg)-1]
	}
	c.errorf(n, "", "%s", msg)
}

func compilePort(c *walkCtx, n *Node) {
	c.errorf(n, "use Listen", "Port was replaced with Listen in Apache 2.0")
}
