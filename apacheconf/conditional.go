package apacheconf

import (
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// conditionalKinds are the read-time sections, by lower-case opener.
var conditionalKinds = map[string]string{
	"<ifmodule":    "IfModule",
	"<ifdefine":    "IfDefine",
	"<iffile":      "IfFile",
	"<ifdirective": "IfDirective",
	"<ifsection":   "IfSection",
	"<ifversion":   "IfVersion",
}

// conditional evaluates an <If*> section at read time. A true section's
// body is read and returned in place (the section itself vanishes from the
// tree, as with Apache); a false one is skipped unparsed.
func (p *fileParser) conditional(l logicalLine, n *Node, kind string) []*Node {
	if n.missingGT {
		p.readErr(l, n.Name, "", "%s> directive missing closing '>'", n.Name)
		p.skipBlock(n)
		return nil
	}
	if len(n.Args) == 0 || n.Args[0].Text == "" && kind != "IfVersion" {
		p.readErr(l, n.Name, "", "%s> directive requires additional arguments", n.Name)
		p.skipBlock(n)
		return nil
	}
	result, errMsg := p.evalCondition(kind, n)
	if errMsg != "" {
		p.readErr(l, n.Name, "", "%s", errMsg)
		p.skipBlock(n)
		return nil
	}
	p.r.tree.Conditions = append(p.r.tree.Conditions, Condition{Pos: n.Pos, Kind: kind, Arg: n.Raw, Result: result})
	if !result {
		p.skipBlock(n)
		return nil
	}
	p.condDepth++
	defer func() { p.condDepth-- }()
	return p.parseBlock(n)
}

// evalCondition returns the truth of a conditional section, or Apache's
// error text for a malformed one.
func (p *fileParser) evalCondition(kind string, n *Node) (bool, string) {
	if kind == "IfVersion" {
		return p.evalVersion(n)
	}
	arg := n.Args[0].Text
	negate := strings.HasPrefix(arg, "!")
	if negate {
		arg = arg[1:]
	}
	var v bool
	switch kind {
	case "IfModule":
		v = p.r.mods.Has(arg)
		if p.r.tree.Strict && (arg == oidcgateModule || path.Base(arg) == ModuleFile(oidcgateModule)) {
			// Strict (configtest --apache) reads as Apache, which has no
			// oidcgate module: the extension block is skipped.
			v = false
		}
	case "IfDefine":
		v = p.r.vars.isDefined(arg)
	case "IfFile":
		_, err := os.Stat(p.r.resolve(arg))
		v = err == nil
	case "IfDirective":
		s, ok := p.r.reg.Lookup(arg)
		v = ok && !s.IsSection() && p.r.mods.HasModule(s.Module)
	case "IfSection":
		s, ok := p.r.reg.Lookup("<" + arg)
		v = ok && p.r.mods.HasModule(s.Module)
	}
	return v != negate, ""
}

// evalVersion implements mod_version's <IfVersion [[!]op] version>.
func (p *fileParser) evalVersion(n *Node) (bool, string) {
	words := n.Strings()
	if len(words) == 0 || len(words) > 2 {
		return false, "<IfVersion> directive requires additional arguments"
	}
	op, ver := "=", words[0]
	if len(words) == 2 {
		op, ver = words[0], words[1]
	} else if strings.HasPrefix(ver, "/") {
		op = "~"
	}
	negate := strings.HasPrefix(op, "!")
	op = strings.TrimPrefix(op, "!")
	var v bool
	switch op {
	case "~", "=", "==":
		if op == "~" || strings.HasPrefix(ver, "/") && strings.HasSuffix(ver, "/") && len(ver) > 1 {
			pat := strings.TrimSuffix(strings.TrimPrefix(ver, "/"), "/")
			re, err := regexp.Compile(pat)
			if err != nil {
				return false, "Cannot compile regular expression '" + pat + "'"
			}
			v = re.MatchString(HTTPDVersion)
			break
		}
		c, ok := compareVersion(HTTPDVersion, ver)
		if !ok {
			return false, "version string must be of the form 'major[.minor[.patch]]'"
		}
		v = c == 0
	case ">", ">=", "<", "<=":
		c, ok := compareVersion(HTTPDVersion, ver)
		if !ok {
			return false, "version string must be of the form 'major[.minor[.patch]]'"
		}
		v = op == ">" && c > 0 || op == ">=" && c >= 0 || op == "<" && c < 0 || op == "<=" && c <= 0
	default:
		return false, "unknown comparison operator '" + op + "'"
	}
	return v != negate, ""
}

// compareVersion compares a against b (major[.minor[.patch]], missing parts
// are 0).
func compareVersion(a, b string) (int, bool) {
	pa, ok1 := parseVersion(a)
	pb, ok2 := parseVersion(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	for i := range 3 {
		if pa[i] != pb[i] {
			if pa[i] < pb[i] {
				return -1, true
			}
			return 1, true
		}
	}
	return 0, true
}

func parseVersion(s string) ([3]int, bool) {
	var out [3]int
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 3 {
		return out, false
	}
	for i, part := range parts {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return out, false
		}
		out[i] = n
	}
	return out, true
}
