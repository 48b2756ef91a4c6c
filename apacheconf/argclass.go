package apacheconf

import (
	"fmt"
	"strings"
)

// ArgClass is how a directive takes its arguments; it fixes the arity check
// and the wording of Apache's error (config.c invoke_cmd).
type ArgClass uint8

const (
	RawArgs  ArgClass = iota // the module tokenises the rest of the line
	NoArgs                   // nothing
	Take1                    // exactly one
	Take2                    // exactly two
	Take12                   // one or two
	Take3                    // exactly three
	Take23                   // two or three
	Take123                  // one to three
	Take13                   // one or three
	Iterate                  // one or more, handled one at a time
	Iterate2                 // one, then one or more
	Flag                     // On or Off
	TakeArgv                 // any number of words
)

var argClassNames = [...]string{"RAW_ARGS", "NO_ARGS", "TAKE1", "TAKE2", "TAKE12", "TAKE3", "TAKE23", "TAKE123", "TAKE13", "ITERATE", "ITERATE2", "FLAG", "TAKE_ARGV"}

func (c ArgClass) String() string { return argClassNames[c] }

// checkArity returns Apache's error text for args that the class refuses,
// or "" when they are acceptable. name is the directive name as registered
// and help the module's help text (appended after a comma, as Apache does).
func (c ArgClass) checkArity(name, help string, args []Word) string {
	n := len(args)
	// Apache's TAKE* handlers see an empty first word as missing.
	missingFirst := n == 0 || args[0].Text == "" && args[0].Quote != 0
	msg := ""
	switch c {
	case NoArgs:
		if n > 0 {
			msg = "takes no arguments"
		}
	case Take1:
		if n != 1 || missingFirst {
			msg = "takes one argument"
		}
	case Take2:
		if n != 2 {
			msg = "takes two arguments"
		}
	case Take12:
		if n < 1 || n > 2 || missingFirst {
			msg = "takes 1-2 arguments"
		}
	case Take3:
		if n != 3 {
			msg = "takes three arguments"
		}
	case Take23:
		if n < 2 || n > 3 {
			msg = "takes two or three arguments"
		}
	case Take123:
		if n < 1 || n > 3 || missingFirst {
			msg = "takes one, two or three arguments"
		}
	case Take13:
		if n != 1 && n != 3 || missingFirst {
			msg = "takes one or three arguments"
		}
	case Iterate:
		if n == 0 {
			msg = "requires at least one argument"
		}
	case Iterate2:
		if n < 2 {
			msg = "requires at least two arguments"
		}
	case Flag:
		if n != 1 || !isOnOff(args[0].Text) {
			return name + " must be On or Off"
		}
		return ""
	case TakeArgv:
		if n > 64 {
			msg = "takes at most 64 arguments"
		}
	}
	if msg == "" {
		return ""
	}
	if help != "" {
		return fmt.Sprintf("%s %s, %s", name, msg, help)
	}
	return fmt.Sprintf("%s %s", name, msg)
}

func isOnOff(s string) bool {
	return strings.EqualFold(s, "on") || strings.EqualFold(s, "off")
}

// Override is Apache's req_override mask: where a directive may appear.
type Override uint16

const (
	OrLimit    Override = 1 << iota // OR_LIMIT: <Limit>-able access directives
	OrOptions                       // OR_OPTIONS
	OrFileInfo                      // OR_FILEINFO: allowed at server level and in sections
	OrAuthCfg                       // OR_AUTHCFG: sections only (and .htaccess)
	OrIndexes                       // OR_INDEXES
	_                               // OR_UNSET
	AccessConf                      // ACCESS_CONF: <Directory>, <Location>, <Files>, <Proxy>, <If>
	RsrcConf                        // RSRC_CONF: main server and <VirtualHost>
	_                               // EXEC_ON_READ (the reader handles those)
	_                               // NONFATAL_OVERRIDE
	_                               // NONFATAL_UNKNOWN
	ProxyConf                       // PROXY_CONF: allowed in <Proxy> sections

	OrAll = OrLimit | OrOptions | OrFileInfo | OrAuthCfg | OrIndexes
)

// Apache's override masks for the two kinds of place a directive can be in.
const (
	serverOverride  = RsrcConf | OrAll&^(OrAuthCfg|OrLimit)
	sectionOverride = AccessConf | OrAll
)

// Check is the extra ap_check_cmd_context test a directive's handler makes.
type Check uint8

const (
	NotInVirtualHost Check = 1 << iota
	NotInLimit
	NotInDirectory
	NotInLocation
	NotInFiles
	NotInHtaccess
	NotInProxy

	NotInDirLocFile = NotInDirectory | NotInLocation | NotInFiles
	NotInDirContext = NotInLimit | NotInDirLocFile | NotInProxy
	GlobalOnly      = NotInVirtualHost | NotInDirContext
)

// Status says what oidcgate does with a directive.
type Status uint8

const (
	// Supported: read into the model and honoured.
	Supported Status = iota
	// Ignored: accepted and has no effect here, harmlessly (Reason says
	// why); lint lists it.
	Ignored
	// Unsupported: accepted by the reader but not honoured; Reason says what
	// it would have done and what to do instead. lint fails on it.
	Unsupported
	// Planned: oidcgate will honour it (Reason names the work that brings
	// it); today it is read and checked but has no effect, and lint says
	// so.
	Planned
)

func (s Status) String() string {
	switch s {
	case Supported:
		return "supported"
	case Ignored:
		return "ignored"
	case Planned:
		return "planned"
	default:
		return "unsupported"
	}
}
