package apacheconf

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// Core directives other than the structural ones: the per-server and
// per-directory settings serving needs, with Apache's value checks.

var coreMiscHandlers = map[string]handler{
	"serveradmin":           compileCoreString,
	"documentroot":          compileDocumentRoot,
	"servertokens":          compileServerTokens,
	"serversignature":       compileCoreChoice,
	"usecanonicalname":      compileCoreChoice,
	"hostnamelookups":       compileCoreChoice,
	"allowencodedslashes":   compileCoreChoice,
	"traceenable":           compileCoreChoice,
	"timeout":               compileCoreSeconds,
	"keepalivetimeout":      compileCoreSeconds,
	"keepalive":             compileCoreFlag,
	"mergeslashes":          compileCoreFlag,
	"maxkeepaliverequests":  compileCoreInt,
	"limitrequestbody":      compileCoreInt,
	"limitrequestfields":    compileCoreInt,
	"limitrequestfieldsize": compileCoreInt,
	"limitrequestline":      compileCoreInt,
	"errordocument":         compileErrorDocument,
	"options":               compileOptions,
	"protocols":             compileCoreWords,
	"httpprotocoloptions":   compileHTTPProtocolOptions,

	// mod_dir
	"directoryindex":         compileDirectoryIndex,
	"directoryslash":         compileDirFlag,
	"directorycheckhandler":  compileDirFlag,
	"directoryindexredirect": compileDirectoryIndexRedirect,
	"fallbackresource":       compileFallbackResource,
}

// CoreServer holds core per-server settings. Unset values are nil or "";
// the accessors of the serving code apply Apache's defaults.
type CoreServer struct {
	// Values of the single-valued directives, by lower-case name, as
	// written (validated); Ints and Durations hold the parsed numbers.
	Values    map[string]string
	Ints      map[string]int64
	Durations map[string]time.Duration
	// DocumentRoot as an absolute path.
	DocumentRoot string
	// Protocols (http/1.1, h2, h2c), lower-case; nil when unset.
	Protocols []string
	// HTTPProtocolOptions words; nil when unset.
	HTTPProtocolOptions []string
}

// MergeVHost: every setting the vhost gives wins.
func (main *CoreServer) MergeVHost(vh *CoreServer) *CoreServer {
	if vh == nil {
		return main
	}
	if main == nil {
		return vh
	}
	out := &CoreServer{Values: mergeMap(main.Values, vh.Values), Ints: mergeMap(main.Ints, vh.Ints),
		Durations: mergeMap(main.Durations, vh.Durations), DocumentRoot: main.DocumentRoot,
		Protocols: main.Protocols, HTTPProtocolOptions: main.HTTPProtocolOptions}
	if vh.DocumentRoot != "" {
		out.DocumentRoot = vh.DocumentRoot
	}
	if vh.Protocols != nil {
		out.Protocols = vh.Protocols
	}
	if vh.HTTPProtocolOptions != nil {
		out.HTTPProtocolOptions = vh.HTTPProtocolOptions
	}
	return out
}

// ErrorDocument is one ErrorDocument: a local URL path, an external URL
// (redirect) or a text message; Default restores Apache's own page.
type ErrorDocument struct {
	Pos     Pos
	Status  int
	Target  string
	Text    bool
	Default bool
}

// CoreDir holds core per-directory settings.
type CoreDir struct {
	Values         map[string]string
	Ints           map[string]int64
	ErrorDocuments map[int]ErrorDocument
	// Options: Absolute replaces the enclosing options; otherwise Add and
	// Remove adjust them (Apache's +/- syntax).
	Options *OptionsSpec

	// DirectoryIndex (mod_dir): the index file names, all lines of one
	// section appended; nil when unset (Apache: index.html), empty for
	// "DirectoryIndex disabled". Later section wins when set.
	DirectoryIndex []string
	// DirectorySlash and DirectoryCheckHandler (mod_dir, default On and
	// Off); nil when unset, later section wins when set.
	DirectorySlash        *bool
	DirectoryCheckHandler *bool
	// DirectoryIndexRedirect is the status of the index redirect (0 for
	// Off, the default); nil when unset, later section wins when set.
	DirectoryIndexRedirect *int
	// FallbackResource is the local URL served for missing files;
	// "disabled" turns an inherited one off. Later section wins when set.
	FallbackResource    string
	FallbackResourcePos Pos
}

// OptionsSpec is one Options directive.
type OptionsSpec struct {
	Absolute    bool
	Set         []string
	Add, Remove []string
}

// Merge: later values win; error documents merge by status; relative
// Options apply on top of the enclosing ones.
func (base *CoreDir) Merge(add *CoreDir) *CoreDir {
	if add == nil {
		return base
	}
	if base == nil {
		return add
	}
	out := &CoreDir{Values: mergeMap(base.Values, add.Values), Ints: mergeMap(base.Ints, add.Ints),
		ErrorDocuments: mergeMap(base.ErrorDocuments, add.ErrorDocuments), Options: base.Options}
	if add.Options != nil {
		out.Options = mergeOptions(base.Options, add.Options)
	}
	out.DirectoryIndex, out.DirectorySlash, out.DirectoryCheckHandler = base.DirectoryIndex, base.DirectorySlash, base.DirectoryCheckHandler
	out.DirectoryIndexRedirect, out.FallbackResource, out.FallbackResourcePos = base.DirectoryIndexRedirect, base.FallbackResource, base.FallbackResourcePos
	if add.DirectoryIndex != nil {
		out.DirectoryIndex = add.DirectoryIndex
	}
	if add.DirectorySlash != nil {
		out.DirectorySlash = add.DirectorySlash
	}
	if add.DirectoryCheckHandler != nil {
		out.DirectoryCheckHandler = add.DirectoryCheckHandler
	}
	if add.DirectoryIndexRedirect != nil {
		out.DirectoryIndexRedirect = add.DirectoryIndexRedirect
	}
	if add.FallbackResource != "" {
		out.FallbackResource, out.FallbackResourcePos = add.FallbackResource, add.FallbackResourcePos
	}
	return out
}

// compileDirectoryIndex is mod_dir's add_index: names are appended; a
// lone "disabled" clears the list.
func compileDirectoryIndex(c *walkCtx, n *Node) {
	d := c.coreDir()
	words := n.Strings()
	if len(words) == 1 && strings.EqualFold(words[0], "disabled") {
		d.DirectoryIndex = []string{}
		return
	}
	d.DirectoryIndex = append(append([]string{}, d.DirectoryIndex...), words...)
}

func compileDirFlag(c *walkCtx, n *Node) {
	v := flag(n)
	if strings.EqualFold(c.Spec.Name, "DirectorySlash") {
		c.coreDir().DirectorySlash = &v
	} else {
		c.coreDir().DirectoryCheckHandler = &v
	}
}

func compileDirectoryIndexRedirect(c *walkCtx, n *Node) {
	arg := n.Args[0].Text
	status := 0
	switch strings.ToLower(arg) {
	case "on", "temp":
		status = 302
	case "off":
	case "permanent":
		status = 301
	case "seeother":
		status = 303
	default:
		if arg == "" || arg[0] < '0' || arg[0] > '9' {
			c.errorf(n, "", "DirectoryIndexRedirect ON|OFF|permanent|temp|seeother|3xx")
			return
		}
		if status = atoi(arg); status < 300 || status > 399 {
			c.errorf(n, "", "DirectoryIndexRedirect only accepts values between 300 and 399")
			return
		}
	}
	c.coreDir().DirectoryIndexRedirect = &status
}

func compileFallbackResource(c *walkCtx, n *Node) {
	d := c.coreDir()
	d.FallbackResource, d.FallbackResourcePos = n.Args[0].Text, n.Pos
}

func mergeOptions(base, add *OptionsSpec) *OptionsSpec {
	if add.Absolute || base == nil {
		return add
	}
	set := map[string]bool{}
	for _, o := range base.Set {
		set[o] = true
	}
	for _, o := range base.Add {
		set[o] = true
	}
	for _, o := range base.Remove {
		delete(set, o)
	}
	for _, o := range add.Add {
		set[o] = true
	}
	for _, o := range add.Remove {
		delete(set, o)
	}
	out := &OptionsSpec{Absolute: true}
	for _, o := range []string{"Indexes", "Includes", "IncludesNOEXEC", "FollowSymLinks", "SymLinksIfOwnerMatch", "ExecCGI", "MultiViews", "All", "None"} {
		if set[o] {
			out.Set = append(out.Set, o)
		}
	}
	return out
}

func mergeMap[K comparable, V any](a, b map[K]V) map[K]V {
	out := make(map[K]V, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// coreServer and coreDir allocate the slots.
func (c *walkCtx) coreServer() *CoreServer {
	if c.Srv.Core == nil {
		c.Srv.Core = &CoreServer{Values: map[string]string{}, Ints: map[string]int64{}, Durations: map[string]time.Duration{}}
	}
	return c.Srv.Core
}

func (c *walkCtx) coreDir() *CoreDir {
	if c.Dir.Core == nil {
		c.Dir.Core = &CoreDir{Values: map[string]string{}, Ints: map[string]int64{}, ErrorDocuments: map[int]ErrorDocument{}}
	}
	return c.Dir.Core
}

// perDir reports whether the directive being compiled is a per-directory
// one (its Override allows sections).
func (c *walkCtx) perDir() bool { return c.Spec != nil && c.Spec.Override&(AccessConf|OrAll) != 0 }

func (c *walkCtx) setCoreValue(key, v string) {
	if c.perDir() {
		c.coreDir().Values[key] = v
		return
	}
	c.coreServer().Values[key] = v
}

func compileCoreString(c *walkCtx, n *Node) { c.setCoreValue(n.Key(), n.Args[0].Text) }

func compileCoreWords(c *walkCtx, n *Node) {
	var ps []string
	for _, w := range n.Strings() {
		ps = append(ps, strings.ToLower(w))
	}
	c.coreServer().Protocols = ps
}

// coreChoices are the accepted values (lower-case) and Apache's error.
var coreChoices = map[string]struct {
	values []string
	msg    string
}{
	"serversignature":     {[]string{"off", "on", "email"}, "ServerSignature: use one of: off | on | email"},
	"usecanonicalname":    {[]string{"on", "off", "dns"}, "parameter must be 'on', 'off', or 'dns'"},
	"hostnamelookups":     {[]string{"on", "off", "double"}, "parameter must be 'on', 'off', or 'double'"},
	"allowencodedslashes": {[]string{"on", "off", "nodecode"}, "AllowEncodedSlashes must be On, Off, or NoDecode"},
	"traceenable":         {[]string{"on", "off", "extended"}, "TraceEnable must be one of 'on', 'off', or 'extended'"},
}

func compileCoreChoice(c *walkCtx, n *Node) {
	ch := coreChoices[n.Key()]
	v := strings.ToLower(n.Args[0].Text)
	if !contains(ch.values, v) {
		c.errorf(n, "", "%s", ch.msg)
		return
	}
	c.setCoreValue(n.Key(), v)
}

func compileServerTokens(c *walkCtx, n *Node) {
	v := strings.ToLower(n.Args[0].Text)
	switch {
	case strings.HasPrefix(v, "prod"):
		v = "prod"
	case v == "major", v == "minor", v == "os", v == "full":
	case strings.HasPrefix(v, "min"):
		v = "minimal"
	default:
		c.errorf(n, "", "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'")
		return
	}
	c.setCoreValue("servertokens", v)
}

// compileCoreSeconds handles Timeout (lenient, as Apache's atoi) and
// KeepAliveTimeout (Apache's time syntax, with a unit).
func compileCoreSeconds(c *walkCtx, n *Node) {
	arg := n.Args[0].Text
	var d time.Duration
	if n.Key() == "timeout" {
		v, _ := strconv.Atoi(leadingInt(arg))
		d = time.Duration(v) * time.Second
	} else {
		var err error
		d, err = parseApacheDuration(arg, time.Second)
		if err != nil {
			c.errorf(n, "", "KeepAliveTimeout has wrong format")
			return
		}
	}
	c.coreServer().Durations[n.Key()] = d
}

// leadingInt returns the leading decimal digits of s (C's atoi).
func leadingInt(s string) string {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func compileCoreFlag(c *walkCtx, n *Node) {
	v := "off"
	if flag(n) {
		v = "on"
	}
	c.setCoreValue(n.Key(), v)
}

func compileCoreInt(c *walkCtx, n *Node) {
	arg := n.Args[0].Text
	key := n.Key()
	var v int64
	switch key {
	case "maxkeepaliverequests":
		x, _ := strconv.Atoi(leadingInt(arg)) // atoi: junk is 0
		v = int64(x)
	case "limitrequestbody":
		x, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || x < 0 {
			c.errorf(n, "", "LimitRequestBody requires a non-negative integer.")
			return
		}
		v = x
	default:
		x, err := strconv.Atoi(leadingInt(arg))
		if err != nil && leadingInt(arg) != "" || x < 0 {
			names := map[string]string{"limitrequestfields": "LimitRequestFields", "limitrequestfieldsize": "LimitRequestFieldsize", "limitrequestline": "LimitRequestLine"}
			c.errorf(n, "", "%s \"%s\" must be a non-negative integer", names[key], arg)
			return
		}
		v = int64(x)
	}
	if c.perDir() {
		c.coreDir().Ints[key] = v
		return
	}
	c.coreServer().Ints[key] = v
}

func compileDocumentRoot(c *walkCtx, n *Node) {
	dir := resolveRelative(c.ServerRoot, n.Args[0].Text)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		c.diags.diags = append(c.diags.diags, Diagnostic{Severity: SevError, ApacheOnly: true, Stage: StageWalk, Pos: n.Pos, Directive: n.Name,
			Msg:  "DocumentRoot '" + n.Args[0].Text + "' is not a directory, or is not readable",
			Hint: "oidcgate only needs it to serve local files; requests for them answer 404 until it exists"})
	}
	c.coreServer().DocumentRoot = dir
}

func compileErrorDocument(c *walkCtx, n *Node) {
	code, err := strconv.Atoi(n.Args[0].Text)
	if err != nil || !apacheStatuses[code] {
		c.errorf(n, "", "Unsupported HTTP response code %s", n.Args[0].Text)
		return
	}
	target := n.Args[1].Text
	d := ErrorDocument{Pos: n.Pos, Status: code, Target: target}
	switch {
	case target == "default":
		d.Default = true
	case n.Args[1].Quote != 0 && !strings.HasPrefix(target, "/") && !strings.Contains(target, "://"),
		!strings.HasPrefix(target, "/") && !strings.Contains(target, "://"):
		d.Text = true
	}
	c.coreDir().ErrorDocuments[code] = d
}

var optionNames = map[string]string{
	"indexes": "Indexes", "includes": "Includes", "includesnoexec": "IncludesNOEXEC", "followsymlinks": "FollowSymLinks",
	"symlinksifownermatch": "SymLinksIfOwnerMatch", "execcgi": "ExecCGI", "multiviews": "MultiViews", "all": "All", "none": "None",
}

func compileOptions(c *walkCtx, n *Node) {
	spec := &OptionsSpec{}
	signed, unsigned := false, false
	for _, w := range n.Strings() {
		sign := byte(0)
		if w != "" && (w[0] == '+' || w[0] == '-') {
			sign, w = w[0], w[1:]
			signed = true
		} else {
			unsigned = true
		}
		name, ok := optionNames[strings.ToLower(w)]
		if !ok {
			c.errorf(n, "", "Illegal option %s", w)
			return
		}
		switch sign {
		case '+':
			spec.Add = append(spec.Add, name)
		case '-':
			spec.Remove = append(spec.Remove, name)
		default:
			spec.Set = append(spec.Set, name)
		}
	}
	if signed && unsigned {
		c.errorf(n, "", "Either all Options must start with + or -, or no Option may.")
		return
	}
	spec.Absolute = unsigned
	c.coreDir().Options = spec
}

func compileHTTPProtocolOptions(c *walkCtx, n *Node) {
	for _, w := range n.Strings() {
		switch strings.ToLower(w) {
		case "unsafe", "strict", "registeredmethods", "lenientmethods", "require1.0", "allow0.9":
		default:
			c.errorf(n, "", "HttpProtocolOptions accepts 'Unsafe' or 'Strict' (default), 'RegisteredMethods' or 'LenientMethods' (default), and 'Require1.0' or 'Allow0.9' (default)")
			return
		}
	}
	c.coreServer().HTTPProtocolOptions = n.Strings()
}

// apacheStatuses are the status codes Apache knows (its status-line
// table), measured with ErrorDocument on apache2 -t.
var apacheStatuses = func() map[int]bool {
	m := map[int]bool{}
	for _, c := range []int{100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
		400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424, 426, 428, 429, 431, 451,
		500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511} {
		m[c] = true
	}
	return m
}()
