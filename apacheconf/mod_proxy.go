package apacheconf

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// mod_proxy family: ProxyPass rules, reverse mappings, balancers.

var proxyHandlers = map[string]handler{
	"proxypass":                    compileProxyPass,
	"proxypassmatch":               compileProxyPass,
	"proxypassreverse":             compileProxyPassReverse,
	"proxypassreversecookiedomain": compileProxyCookie,
	"proxypassreversecookiepath":   compileProxyCookie,
	"proxypreservehost":            compileProxyFlag,
	"proxyaddheaders":              compileProxyFlag,
	"proxypassinterpolateenv":      compileProxyFlag,
	"proxyerroroverride":           compileProxyErrorOverride,
	"proxytimeout":                 compileProxyTimeout,
	"proxyvia":                     compileProxyVia,
	"proxyrequests":                compileProxyRequests,
	"balancermember":               compileBalancerMember,
	"proxyset":                     compileProxySet,
}

// ProxyRule is one ProxyPass or ProxyPassMatch rule.
type ProxyRule struct {
	Pos Pos
	// Path is the URL-path prefix; Regex is set for ProxyPassMatch and
	// "ProxyPass ~".
	Path  string
	Regex *regexp.Regexp
	// Exclude is the "!" form: matching requests are not proxied.
	Exclude bool
	// Target is the backend URL as written (it may hold $1 references for
	// a regex rule); TargetURL is it parsed.
	Target    string
	TargetURL *url.URL
	// InLocation marks the one-argument form inside a section, whose path
	// is the section's.
	InLocation bool
	// Keys other than worker parameters.
	NoCanon, Interpolate, NoQuery bool
	Mapping                       string
	Worker                        WorkerParams
}

// WorkerParams are the key=value settings of a backend (worker).
type WorkerParams struct {
	Timeout, ConnectionTimeout, Retry, TTL, Ping time.Duration
	// Set records which keys were given (lower-case), so defaults apply to
	// the others.
	Set          map[string]bool
	KeepAlive    bool
	DisableReuse bool
	// Upgrade is the protocol of upgrade= ("websocket").
	Upgrade    string
	LoadFactor int
	// LBSet is the member's lbset (0-99): lower sets are used first.
	LBSet    int
	Max, Min int
	Route    string
	Redirect string
	// Status holds the status flags (+H hot standby, +D disabled, ...).
	Status string
	// Other keys accepted by Apache and kept as written.
	Other map[string]string
}

// ReverseRule is a ProxyPassReverse (or cookie) mapping.
type ReverseRule struct {
	Pos         Pos
	Path, URL   string
	Interpolate bool
}

// Balancer is a balancer:// group.
type Balancer struct {
	Name    string
	Pos     Pos
	Members []BalancerMember
	// LBMethod is byrequests (when empty), bybusyness or bytraffic.
	LBMethod string
	// Params are the ProxySet (and ProxyPass balancer) settings as
	// written, lower-case keys; the typed fields below are them parsed.
	Params map[string]string
	// StickyCookie and StickyPath are stickysession=cookie[|path]: the
	// cookie and the URL parameter that carry the route ("" when off).
	StickyCookie, StickyPath string
	// StickySep is stickysessionsep: the byte before the route in the
	// session value ('.' by default, 0 for Off: the whole value).
	StickySep byte
	// ScolonPathDelim is scolonpathdelim=On: ';' also ends a URL
	// parameter value.
	ScolonPathDelim bool
	// NoFailover is nofailover=On: a session whose member is unusable
	// gets 503 instead of another member.
	NoFailover bool
	// Timeout is how long to wait for a usable member (0: do not wait).
	Timeout time.Duration
	// MaxAttempts is maxattempts; MaxAttemptsSet is false when the
	// default (members − 1) applies.
	MaxAttempts    int
	MaxAttemptsSet bool
	// FailOnStatus are the failonstatus codes that put a member in error.
	FailOnStatus []int
	// FailOnTimeout is failontimeout=On.
	FailOnTimeout bool
	// ForceRecovery is forcerecovery (On by default): when every member
	// is in error, all are tried again at once.
	ForceRecovery bool
}

// BalancerMember is one member of a balancer.
type BalancerMember struct {
	Pos    Pos
	URL    string
	Worker WorkerParams
}

// ProxyServer holds mod_proxy's per-server settings. For a virtual host,
// the main server's rules come first (Apache appends the vhost's).
type ProxyServer struct {
	Rules     []*ProxyRule
	Reverse   []ReverseRule
	Balancers []*Balancer
	// Timeout is ProxyTimeout; 0 when unset (Timeout applies).
	Timeout time.Duration
	// Via is ProxyVia: "off" (default), "on", "full" or "block".
	Via string
	// Requests is ProxyRequests (forward proxying).
	Requests *bool
}

// MergeVHost appends the vhost's rules, reverse mappings and balancers to
// the main server's and lets its scalar settings win when set.
func (main *ProxyServer) MergeVHost(vh *ProxyServer) *ProxyServer {
	if vh == nil {
		return main
	}
	if main == nil {
		return vh
	}
	out := &ProxyServer{
		Rules:     append(append([]*ProxyRule(nil), main.Rules...), vh.Rules...),
		Reverse:   append(append([]ReverseRule(nil), main.Reverse...), vh.Reverse...),
		Balancers: append(append([]*Balancer(nil), main.Balancers...), vh.Balancers...),
		Timeout:   main.Timeout, Via: main.Via, Requests: main.Requests,
	}
	if vh.Timeout != 0 {
		out.Timeout = vh.Timeout
	}
	if vh.Via != "" {
		out.Via = vh.Via
	}
	if vh.Requests != nil {
		out.Requests = vh.Requests
	}
	return out
}

// ProxyDir holds mod_proxy's per-directory settings.
type ProxyDir struct {
	// Rule is the one-argument ProxyPass of the section; later wins.
	Rule *ProxyRule
	// Reverse and cookie mappings append, outer first.
	Reverse      []ReverseRule
	CookieDomain []ReverseRule
	CookiePath   []ReverseRule
	// Flags: nil when unset; later wins when set.
	PreserveHost   *bool
	AddHeaders     *bool
	InterpolateEnv *bool
	ErrorOverride  *bool
	// ErrorOverrideCodes limit ProxyErrorOverride to these statuses.
	ErrorOverrideCodes []int
}

// Merge implements mod_proxy's per-directory merge.
func (base *ProxyDir) Merge(add *ProxyDir) *ProxyDir {
	if add == nil {
		return base
	}
	if base == nil {
		return add
	}
	out := *base
	if add.Rule != nil {
		out.Rule = add.Rule
	}
	out.Reverse = append(append([]ReverseRule(nil), base.Reverse...), add.Reverse...)
	out.CookieDomain = append(append([]ReverseRule(nil), base.CookieDomain...), add.CookieDomain...)
	out.CookiePath = append(append([]ReverseRule(nil), base.CookiePath...), add.CookiePath...)
	for _, f := range []struct {
		dst **bool
		src *bool
	}{{&out.PreserveHost, add.PreserveHost}, {&out.AddHeaders, add.AddHeaders}, {&out.InterpolateEnv, add.InterpolateEnv}, {&out.ErrorOverride, add.ErrorOverride}} {
		if f.src != nil {
			*f.dst = f.src
		}
	}
	if add.ErrorOverride != nil {
		out.ErrorOverrideCodes = add.ErrorOverrideCodes
	}
	return &out
}

func (c *walkCtx) proxyDir() *ProxyDir {
	if c.Dir.Proxy == nil {
		c.Dir.Proxy = &ProxyDir{}
	}
	return c.Dir.Proxy
}

func (c *walkCtx) proxyServer() *ProxyServer {
	if c.Srv.Proxy == nil {
		c.Srv.Proxy = &ProxyServer{}
	}
	return c.Srv.Proxy
}

func compileProxyPass(c *walkCtx, n *Node) {
	words := n.Strings()
	isMatch := n.Key() == "proxypassmatch"
	rule := &ProxyRule{Pos: n.Pos}
	if len(words) > 0 && words[0] == "~" {
		isMatch = true
		words = words[1:]
	}
	if c.Sec != nil {
		// One-argument form: the path is the section's.
		if len(words) >= 2 && !strings.Contains(words[1], "=") {
			c.errorf(n, "drop the path: inside a section ProxyPass takes only the URL", "ProxyPass|ProxyPassMatch can not have a path when defined in a location.")
			return
		}
		rule.InLocation = true
		rule.Path = c.Sec.Arg
		if c.Sec.Regex != nil {
			rule.Regex = c.Sec.Regex
		}
	} else {
		if len(words) < 2 || strings.Contains(words[1], "=") && words[1] != "!" {
			c.errorf(n, "write ProxyPass /path http://backend/", "ProxyPass|ProxyPassMatch needs a path when not defined in a location")
			return
		}
		rule.Path, words = words[0], words[1:]
		if isMatch {
			re, err := compileRegex("", rule.Path)
			if err != nil {
				c.errorf(n, "Go's RE2 syntax: "+err.Error(), "Regular expression could not be compiled.")
				return
			}
			rule.Regex = re
		}
	}
	if len(words) == 0 {
		c.errorf(n, "write ProxyPass /path http://backend/", "ProxyPass|ProxyPassMatch needs a path when not defined in a location")
		return
	}
	rule.Target, words = words[0], words[1:]
	if rule.Target == "!" {
		rule.Exclude = true
	} else {
		u, err := url.Parse(rule.Target)
		if err != nil || !strings.Contains(rule.Target, "://") && !strings.HasPrefix(rule.Target, "unix:") {
			c.errorf(n, "use an absolute URL such as http://127.0.0.1:8080/", "ProxyPass URL must be absolute!: %s", rule.Target)
			return
		}
		rule.TargetURL = u
	}
	for _, kv := range words {
		switch kv {
		case "nocanon":
			rule.NoCanon = true
			continue
		case "interpolate":
			rule.Interpolate = true
			continue
		case "noquery":
			rule.NoQuery = true
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			c.errorf(n, "", "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'.")
			return
		}
		if strings.EqualFold(k, "mapping") {
			rule.Mapping = v
			continue
		}
		if strings.HasPrefix(strings.ToLower(rule.Target), "balancer://") && rule.TargetURL != nil {
			// The keys of a balancer target are the balancer's, as
			// ProxySet's.
			b := c.balancerFor("balancer://"+rule.TargetURL.Host, n.Pos)
			if msg := c.setBalancerParam(b, k, v); msg != "" {
				c.errorf(n, "", "ProxyPass %s", msg)
				return
			}
			continue
		}
		if msg := setWorkerParam(&rule.Worker, k, v); msg != "" {
			c.errorf(n, "", "ProxyPass %s", msg)
			return
		}
	}
	if rule.InLocation {
		c.proxyDir().Rule = rule
		return
	}
	ps := c.proxyServer()
	ps.Rules = append(ps.Rules, rule)
}

// setWorkerParam applies one worker key=value as mod_proxy's
// set_worker_param does and returns its error text (without the
// directive name), or "".
func setWorkerParam(w *WorkerParams, key, val string) string {
	k := strings.ToLower(key)
	if w.Set == nil {
		w.Set = map[string]bool{}
	}
	w.Set[k] = true
	seconds := func(min int) (time.Duration, bool) {
		v, err := strconv.Atoi(val)
		return time.Duration(v) * time.Second, err == nil && v >= min
	}
	switch k {
	case "timeout":
		d, ok := seconds(1)
		if !ok {
			return "Timeout must be at least one second"
		}
		w.Timeout = d
	case "connectiontimeout":
		d, err := parseApacheDuration(val, time.Second)
		if err != nil || d < time.Millisecond {
			return "Connection timeout must be at least one millisecond."
		}
		w.ConnectionTimeout = d
	case "retry":
		d, ok := seconds(0)
		if !ok {
			return "Retry must be a positive value"
		}
		w.Retry = d
	case "ttl":
		d, ok := seconds(1)
		if !ok {
			return "TTL must be at least one second"
		}
		w.TTL = d
	case "ping":
		d, err := parseApacheDuration(val, time.Second)
		if err != nil || d < time.Millisecond {
			return "Ping/Pong timeout must be at least one millisecond"
		}
		w.Ping = d
	case "keepalive", "disablereuse", "enablereuse":
		var on bool
		switch strings.ToLower(val) {
		case "on":
			on = true
		case "off":
		default:
			return map[string]string{"keepalive": "KeepAlive must be On|Off", "disablereuse": "DisableReuse must be On|Off", "enablereuse": "EnableReuse must be On|Off"}[k]
		}
		switch k {
		case "keepalive":
			w.KeepAlive = on
		case "disablereuse":
			w.DisableReuse = on
		default:
			w.DisableReuse = !on
		}
	case "loadfactor":
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || v < 1 || v > 100 {
			return "LoadFactor must be a number between 1..100"
		}
		w.LoadFactor = int(v)
	case "max", "min", "smax":
		v, err := strconv.Atoi(val)
		if err != nil || v < 0 {
			return strings.ToUpper(k[:1]) + k[1:] + " must be a positive number"
		}
		if k == "max" {
			w.Max = v
		} else if k == "min" {
			w.Min = v
		}
	case "upgrade":
		w.Upgrade = val
	case "route":
		w.Route = val
	case "redirect":
		w.Redirect = val
	case "status":
		for i := 0; i < len(val); i++ {
			ch := val[i]
			if ch == '+' || ch == '-' {
				continue
			}
			if !strings.ContainsRune("DdSsIiHhEeNnRrCc", rune(ch)) {
				return "Unknown status parameter option"
			}
		}
		w.Status = val
	case "lbset":
		v, err := strconv.Atoi(val)
		if err != nil || v < 0 || v > 99 {
			return "lbset must be between 0 and 99"
		}
		w.LBSet = v
	case "acquire", "flushpackets", "flushwait", "iobuffersize", "receivebuffersize", "secret", "responsefieldsize", "flusher",
		"hcmethod", "hcinterval", "hcpasses", "hcfails", "hcuri", "hcexpr", "hctemplate":
		if w.Other == nil {
			w.Other = map[string]string{}
		}
		w.Other[k] = val
	default:
		delete(w.Set, k)
		return "unknown Worker parameter"
	}
	return ""
}

// parseApacheDuration parses Apache's time values: a number with an
// optional unit suffix (ms, s, mi, h), unit def when there is none.
func parseApacheDuration(s string, def time.Duration) (time.Duration, error) {
	unit := def
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"ms", time.Millisecond}, {"mi", time.Minute}, {"s", time.Second}, {"h", time.Hour}} {
		if strings.HasSuffix(s, u.suffix) {
			s, unit = strings.TrimSuffix(s, u.suffix), u.d
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	return time.Duration(v) * unit, nil
}

func compileProxyPassReverse(c *walkCtx, n *Node) {
	words := n.Strings()
	r := ReverseRule{Pos: n.Pos}
	if len(words) > 0 && words[len(words)-1] == "interpolate" {
		r.Interpolate = true
		words = words[:len(words)-1]
	}
	switch {
	case c.Sec != nil && len(words) == 1:
		r.Path, r.URL = c.Sec.Arg, words[0]
		pd := c.proxyDir()
		pd.Reverse = append(pd.Reverse, r)
		return
	case c.Sec == nil && len(words) == 2:
		r.Path, r.URL = words[0], words[1]
		ps := c.proxyServer()
		ps.Reverse = append(ps.Reverse, r)
		return
	case c.Sec != nil:
		c.errorf(n, "", "ProxyPassReverse can not have a path when defined in a location")
	default:
		c.errorf(n, "", "ProxyPassReverse needs a path when not defined in a location")
	}
}

func compileProxyCookie(c *walkCtx, n *Node) {
	words := n.Strings()
	r := ReverseRule{Pos: n.Pos, Path: words[0], URL: words[1]}
	// Apache honours a third argument only when it is "interpolate" and
	// ignores any other.
	r.Interpolate = len(words) == 3 && words[2] == "interpolate"
	pd := c.proxyDir()
	if n.Key() == "proxypassreversecookiedomain" {
		pd.CookieDomain = append(pd.CookieDomain, r)
	} else {
		pd.CookiePath = append(pd.CookiePath, r)
	}
}

func compileProxyFlag(c *walkCtx, n *Node) {
	v := flag(n)
	pd := c.proxyDir()
	switch n.Key() {
	case "proxypreservehost":
		pd.PreserveHost = &v
	case "proxyaddheaders":
		pd.AddHeaders = &v
	case "proxypassinterpolateenv":
		pd.InterpolateEnv = &v
	}
}

func compileProxyErrorOverride(c *walkCtx, n *Node) {
	words := n.Strings()
	if len(words) == 0 || !isOnOff(words[0]) {
		c.errorf(n, "", "ProxyErrorOverride first parameter must be one of: off | on")
		return
	}
	on := strings.EqualFold(words[0], "on")
	pd := c.proxyDir()
	pd.ErrorOverride = &on
	pd.ErrorOverrideCodes = nil
	for _, w := range words[1:] {
		code, err := strconv.Atoi(w)
		if err != nil || code < 400 || code > 599 {
			c.errorf(n, "", "ProxyErrorOverride: status codes to intercept must be valid HTTP Status Codes >=400 && <600")
			return
		}
		pd.ErrorOverrideCodes = append(pd.ErrorOverrideCodes, code)
	}
}

func compileProxyTimeout(c *walkCtx, n *Node) {
	d, err := parseApacheDuration(n.Args[0].Text, time.Second)
	if err != nil || d < time.Second {
		c.errorf(n, "", "Proxy Timeout must be at least 1 second.")
		return
	}
	c.proxyServer().Timeout = d
}

func compileProxyVia(c *walkCtx, n *Node) {
	v := strings.ToLower(n.Args[0].Text)
	switch v {
	case "off", "on", "full", "block":
		c.proxyServer().Via = v
	default:
		c.errorf(n, "", "ProxyVia must be one of: off | on | full | block")
	}
}

func compileProxyRequests(c *walkCtx, n *Node) {
	v := flag(n)
	c.proxyServer().Requests = &v
}

// balancerFor finds or creates a balancer of the server.
func (c *walkCtx) balancerFor(name string, pos Pos) *Balancer {
	ps := c.proxyServer()
	for _, b := range ps.Balancers {
		if strings.EqualFold(b.Name, name) {
			return b
		}
	}
	b := &Balancer{Name: name, Pos: pos, Params: map[string]string{}, StickySep: '.', ForceRecovery: true}
	ps.Balancers = append(ps.Balancers, b)
	return b
}

func compileBalancerMember(c *walkCtx, n *Node) {
	name, words, inProxy := c.balancerArgs(n)
	if !inProxy && (len(words) == 0 || strings.Contains(words[0], "=")) {
		c.errorf(n, "put BalancerMember inside <Proxy balancer://name> or name the balancer first", "BalancerMember must define remote proxy server")
		return
	}
	if len(words) == 0 {
		c.errorf(n, "", "BalancerMember must define remote proxy server")
		return
	}
	m := BalancerMember{Pos: n.Pos, URL: words[0]}
	for _, kv := range words[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			c.errorf(n, "", "BalancerMember can not have a balancer name when defined in a location")
			return
		}
		if msg := setWorkerParam(&m.Worker, k, v); msg != "" {
			c.errorf(n, "", "BalancerMember %s", msg)
			return
		}
	}
	// Member keys that change what a client sees and that the balancer
	// does not apply per member yet: say so rather than ignore them.
	for _, k := range []string{"timeout", "connectiontimeout"} {
		if m.Worker.Set[k] {
			c.warnf(n, "use ProxyTimeout (or Timeout) for the members' timeout", "oidcgate does not apply %s= per balancer member yet: ProxyTimeout, else Timeout, applies to every member", k)
		}
	}
	if m.Worker.Set["upgrade"] || strings.HasPrefix(strings.ToLower(m.URL), "ws") {
		c.warnf(n, "proxy WebSocket paths with ProxyPass to a ws:// URL instead of a balancer", "oidcgate does not tunnel upgrades (WebSocket) through a balancer yet: the Upgrade header is dropped")
	}
	b := c.balancerFor(name, n.Pos)
	b.Members = append(b.Members, m)
}

// balancerArgs splits BalancerMember/ProxySet arguments: inside a
// <Proxy balancer://…> section the balancer is the section's, elsewhere it
// is the first word.
func (c *walkCtx) balancerArgs(n *Node) (name string, rest []string, inProxy bool) {
	words := n.Strings()
	if c.Sec != nil && (c.Sec.Kind == SecProxy || c.Sec.Kind == SecProxyMatch) {
		return c.Sec.Arg, words, true
	}
	if len(words) == 0 {
		return "", nil, false
	}
	return words[0], words[1:], false
}

// lbMethods maps each lbmethod to the module providing it.
var lbMethods = map[string]string{
	"byrequests": "mod_lbmethod_byrequests", "bytraffic": "mod_lbmethod_bytraffic",
	"bybusyness": "mod_lbmethod_bybusyness", "heartbeat": "mod_lbmethod_heartbeat",
}

func compileProxySet(c *walkCtx, n *Node) {
	name, words, _ := c.balancerArgs(n)
	if !strings.HasPrefix(strings.ToLower(name), "balancer://") {
		// ProxySet on a plain worker (<Proxy http://…> or a URL first):
		// its keys are worker keys, checked as Apache does.
		var w WorkerParams
		for _, kv := range words {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				c.errorf(n, "", "Invalid ProxySet parameter. Parameter must be in the form 'key=value'")
				return
			}
			if msg := setWorkerParam(&w, k, v); msg != "" {
				c.errorf(n, "", "ProxySet: %s %s=%s; %s", msg, k, v, name)
				return
			}
		}
		c.warnf(n, "put the keys on the ProxyPass line of "+name, "oidcgate does not apply ProxySet to a plain worker yet: its keys are checked but not used")
		return
	}
	b := c.balancerFor(name, n.Pos)
	for _, kv := range words {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			c.errorf(n, "", "Invalid ProxySet parameter. Parameter must be in the form 'key=value'")
			return
		}
		if msg := c.setBalancerParam(b, k, v); msg != "" {
			if msg == errHeartbeat {
				if c.strict() {
					// Apache accepts it (configtest --apache mirrors that).
					continue
				}
				c.errorf(n, "use lbmethod=bybusyness (closest: it follows each member's load as seen by oidcgate) or byrequests", "ProxySet: lbmethod=heartbeat is not supported by oidcgate: it balances on the load reports that backends multicast to mod_heartmonitor, which oidcgate does not receive; %s", name)
				return
			}
			c.errorf(n, "", "ProxySet: %s %s=%s; %s", msg, k, v, name)
			return
		}
	}
}

const errHeartbeat = "heartbeat"

// setBalancerParam applies one balancer key=value as mod_proxy's
// set_balancer_param does and returns its error text, or "" (errHeartbeat
// for lbmethod=heartbeat, which oidcgate cannot honour).
func (c *walkCtx) setBalancerParam(b *Balancer, key, val string) string {
	k := strings.ToLower(key)
	onOff := func(dst *bool, msg string) string {
		switch strings.ToLower(val) {
		case "on":
			*dst = true
		case "off":
			*dst = false
		default:
			return msg
		}
		return ""
	}
	var msg string
	switch k {
	case "stickysession":
		b.StickyCookie, b.StickyPath = val, val
		if ck, path, ok := strings.Cut(val, "|"); ok {
			b.StickyCookie, b.StickyPath = ck, path
		}
	case "stickysessionsep":
		switch {
		case len(val) == 1:
			b.StickySep = val[0]
		case strings.EqualFold(val, "off"):
			b.StickySep = 0
		default:
			msg = "stickysessionsep must be a single character or Off"
		}
	case "nofailover":
		msg = onOff(&b.NoFailover, "failover must be On|Off")
	case "timeout":
		// 2.4 reads whole seconds with atoi: "5ms" is five seconds
		// (observed: Syntax OK).
		if v := cAtoiSigned(val); v < 1 {
			msg = "timeout must be at least one second"
		} else {
			b.Timeout = time.Duration(v) * time.Second
		}
	case "maxattempts":
		if v := cAtoiSigned(val); v < 0 {
			msg = "maximum number of attempts must be a positive number"
		} else {
			b.MaxAttempts, b.MaxAttemptsSet = cAtoiSigned(val), true
		}
	case "lbmethod":
		m := strings.ToLower(val)
		mod, known := lbMethods[m]
		switch {
		case !known || c.Modules != nil && !c.Modules.HasModule(mod):
			msg = "unknown lbmethod"
		case m == "heartbeat":
			return errHeartbeat
		default:
			b.LBMethod = m
		}
	case "scolonpathdelim":
		msg = onOff(&b.ScolonPathDelim, "scolonpathdelim must be On|Off")
	case "failonstatus":
		b.FailOnStatus = nil
		for _, f := range strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == ' ' }) {
			code := cAtoiSigned(f)
			if code < 100 || code > 599 {
				msg = "failonstatus must be one or more HTTP response codes"
				break
			}
			b.FailOnStatus = append(b.FailOnStatus, code)
		}
	case "failontimeout":
		msg = onOff(&b.FailOnTimeout, "failontimeout must be On|Off")
	case "nonce":
		// The balancer-manager's nonce: oidcgate serves no
		// balancer-manager, so it has nothing to protect.
	case "growth":
		// Room for members added at run time through the
		// balancer-manager, which oidcgate does not serve: checked, no
		// effect.
		if v := cAtoiSigned(val); v < 1 || v > 100 {
			msg = "growth must be between 1 and 100"
		}
	case "forcerecovery":
		msg = onOff(&b.ForceRecovery, "forcerecovery must be On|Off")
	default:
		msg = "unknown Balancer parameter"
	}
	if msg == "" {
		b.Params[k] = val
	}
	return msg
}

// cAtoiSigned is C's atoi with its sign: leading spaces, a sign, the digits; anything after
// them is ignored and no digits read as 0.
func cAtoiSigned(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<30; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
