package expr

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// headerVars are the %{HTTP_*} variables Apache knows, with the request
// header each one reads. Other HTTP_* names do not exist (use
// %{HTTP:Name} or req('Name')).
var headerVars = map[string]string{
	"HTTP_USER_AGENT":       "User-Agent",
	"HTTP_PROXY_CONNECTION": "Proxy-Connection",
	"HTTP_REFERER":          "Referer",
	"HTTP_COOKIE":           "Cookie",
	"HTTP_FORWARDED":        "Forwarded",
	"HTTP_HOST":             "Host",
	"HTTP_ACCEPT":           "Accept",
}

// requestVars are the other variables of Apache's core (request,
// connection and miscellaneous ones); [Vars.Var] is asked for them by
// these upper-case names.
var requestVars = map[string]bool{
	"TIME_YEAR": true, "TIME_MON": true, "TIME_DAY": true, "TIME_HOUR": true,
	"TIME_MIN": true, "TIME_SEC": true, "TIME_WDAY": true, "TIME": true,
	"SERVER_SOFTWARE": true, "API_VERSION": true,
	"REQUEST_METHOD": true, "REQUEST_SCHEME": true, "REQUEST_URI": true,
	"REQUEST_FILENAME": true, "REMOTE_HOST": true, "REMOTE_IDENT": true,
	"REMOTE_USER": true, "SERVER_ADMIN": true, "SERVER_NAME": true,
	"SERVER_PORT": true, "SERVER_PROTOCOL": true, "SCRIPT_FILENAME": true,
	"PATH_INFO": true, "QUERY_STRING": true, "IS_SUBREQ": true,
	"DOCUMENT_ROOT": true, "AUTH_TYPE": true, "THE_REQUEST": true,
	"CONTENT_TYPE": true, "HANDLER": true, "REQUEST_LOG_ID": true,
	"SCRIPT_USER": true, "SCRIPT_GROUP": true, "DOCUMENT_URI": true,
	"LAST_MODIFIED": true, "CONTEXT_PREFIX": true, "CONTEXT_DOCUMENT_ROOT": true,
	"REQUEST_STATUS": true, "REMOTE_ADDR": true, "REMOTE_PORT": true,
	"HTTPS": true, "IPV6": true, "CONN_LOG_ID": true, "CONN_REMOTE_ADDR": true,
	"HTTP2": true,
}

// varNode resolves %{NAME}; Apache compares variable names without
// regard to case.
func (p *parser) varNode(name string) *node {
	up := strings.ToUpper(name)
	if h, ok := headerVars[up]; ok {
		return &node{op: opFunc, s: "req", a: &node{op: opString, s: h}}
	}
	if requestVars[up] {
		if up == "REMOTE_USER" {
			p.remoteUser = true
		}
		return &node{op: opVar, s: up}
	}
	p.lookErr = fmt.Sprintf("Variable '%s' does not exist", name)
	return &node{op: opString}
}

// functions are the string functions of Apache's core. The value is
// false for those oidcgate refuses.
var functions = map[string]bool{
	"osenv": true, "env": true, "resp": true, "req": true, "http": true,
	"note": true, "reqenv": true, "req_novary": true, "tolower": true,
	"toupper": true, "escape": true, "unescape": true, "base64": true,
	"unbase64": true, "sha1": true, "md5": true,
	"file": false, "filesize": false, "ldap": false,
}

// function resolves name(arg) and %{name:arg}; function names are matched
// without regard to case.
func (p *parser) function(name string, arg *node) *node {
	low := strings.ToLower(name)
	ok, known := functions[low]
	switch {
	case !known:
		p.lookErr = fmt.Sprintf("Function '%s' does not exist", name)
	case !ok:
		p.lookErr = fmt.Sprintf("Function '%s' is not supported by oidcgate", low)
	}
	if low == "http" {
		low = "req"
	}
	return &node{op: opFunc, s: low, a: arg}
}

// unsupportedUnary are Apache's file and sub-request tests.
var unsupportedUnary = map[string]string{
	"d": "file tests", "e": "file tests", "f": "file tests", "s": "file tests",
	"L": "file tests", "h": "file tests", "x": "file tests",
	"F": "sub-requests", "U": "sub-requests", "A": "sub-requests",
}

// unaryOp resolves -X word; unary operator names are case-sensitive.
func (p *parser) unaryOp(name string, arg *node) *node {
	n := &node{op: opUnary, s: name, a: arg}
	switch name {
	case "n", "z", "T":
	case "R":
		n.subnet = p.subnetArg(name, arg)
	default:
		if what, ok := unsupportedUnary[name]; ok {
			p.lookErr = fmt.Sprintf("Unary operator '-%s' is not supported by oidcgate (no %s)", name, what)
		} else {
			p.lookErr = fmt.Sprintf("Unary operator '-%s' does not exist", name)
		}
	}
	return n
}

// binaryOp resolves word -name word; names are matched without regard to
// case.
func (p *parser) binaryOp(name string, left, right *node) *node {
	n := &node{op: opBinary, s: strings.ToLower(name), a: left, b: right}
	switch n.s {
	case "fnmatch", "strmatch", "strcmatch":
	case "ipmatch":
		n.subnet = p.subnetArg(name, right)
	default:
		p.lookErr = fmt.Sprintf("Binary operator '-%s' does not exist", name)
	}
	return n
}

// subnetArg parses the constant subnet of -R and -ipmatch at parse time,
// as Apache does.
func (p *parser) subnetArg(name string, arg *node) *subnet {
	if arg.op != opString {
		p.lookErr = fmt.Sprintf("-%s requires subnet/netmask as constant argument", name)
		return nil
	}
	sn, ok := parseSubnet(arg.s)
	if !ok {
		p.lookErr = "parsing of subnet/netmask failed"
		return nil
	}
	return sn
}

// subnet is what apr_ipsubnet_create makes: an address and a mask, which
// for IPv4 need not be contiguous.
type subnet struct {
	v4         bool
	addr, mask [16]byte
}

// contains is apr_ipsubnet_test; an IPv4-mapped IPv6 address matches an
// IPv4 subnet.
func (sn *subnet) contains(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if sn == nil || err != nil {
		return false
	}
	a = a.WithZone("")
	n := 16
	var b [16]byte
	if sn.v4 {
		a = a.Unmap()
		if !a.Is4() {
			return false
		}
		b4 := a.As4()
		copy(b[:], b4[:])
		n = 4
	} else {
		if a.Is4() {
			return false
		}
		b = a.As16()
	}
	for i := 0; i < n; i++ {
		if b[i]&sn.mask[i] != sn.addr[i] {
			return false
		}
	}
	return true
}

// parseSubnet parses what apr_ipsubnet_create accepts: an IPv4 or IPv6
// address with an optional /bits or (IPv4) /netmask, or a partial dotted
// IPv4 network such as "10" or "192.168".
func parseSubnet(s string) (*subnet, bool) {
	addrPart, maskPart, hasMask := strings.Cut(s, "/")
	sn := &subnet{}
	addr, err := netip.ParseAddr(addrPart)
	if err != nil {
		if hasMask || strings.Contains(addrPart, ":") || addrPart == "" {
			return nil, false
		}
		// Partial IPv4: 1 to 3 decimal octets.
		octets := strings.Split(addrPart, ".")
		if len(octets) > 3 {
			return nil, false
		}
		sn.v4 = true
		for i, o := range octets {
			v, err := strconv.Atoi(o)
			if err != nil || v < 0 || v > 255 || o == "" || o[0] == '+' {
				return nil, false
			}
			sn.addr[i] = byte(v)
			sn.mask[i] = 0xff
		}
		return sn, true
	}
	if addr.Zone() != "" {
		return nil, false
	}
	sn.v4 = addr.Is4()
	size := addr.BitLen() / 8
	if sn.v4 {
		b := addr.As4()
		copy(sn.addr[:], b[:])
	} else {
		sn.addr = addr.As16()
	}
	bits := addr.BitLen()
	switch {
	case !hasMask:
	case maskPart != "" && isDigit(maskPart[0]) && !strings.Contains(maskPart, "."):
		n, err := strconv.Atoi(maskPart)
		if err != nil || n < 1 || n > bits {
			return nil, false
		}
		bits = n
	default:
		m, err := netip.ParseAddr(maskPart)
		if err != nil || !m.Is4() || !sn.v4 {
			return nil, false
		}
		b := m.As4()
		copy(sn.mask[:], b[:])
		bits = -1
	}
	if bits >= 0 {
		for i := 0; i < size; i++ {
			switch {
			case bits >= 8:
				sn.mask[i] = 0xff
				bits -= 8
			case bits > 0:
				sn.mask[i] = byte(0xff << (8 - bits))
				bits = 0
			}
		}
	}
	for i := range sn.addr {
		sn.addr[i] &= sn.mask[i]
	}
	return sn, true
}
