package apacheconf

import "strings"

// vars is the read pass's Define table: parameters (tested by <IfDefine>,
// case-sensitively) and variables (for ${NAME}, looked up
// case-insensitively, then in the process environment).
type vars struct {
	params    []string          // in definition order
	values    map[string]string // lower-case name → value
	names     map[string]string // lower-case name → name as defined
	lookupEnv func(string) (string, bool)
}

func newVars(defines []string, lookupEnv func(string) (string, bool)) *vars {
	v := &vars{values: map[string]string{}, names: map[string]string{}, lookupEnv: lookupEnv}
	for _, d := range defines {
		v.define(d)
	}
	return v
}

// define adds a parameter (once).
func (v *vars) define(name string) {
	for _, p := range v.params {
		if p == name {
			return
		}
	}
	v.params = append(v.params, name)
}

// set defines a parameter and a variable.
func (v *vars) set(name, value string) {
	v.define(name)
	v.values[strings.ToLower(name)] = value
	v.names[strings.ToLower(name)] = name
}

// undefine removes both the parameter and the variable.
func (v *vars) undefine(name string) {
	for i, p := range v.params {
		if p == name {
			v.params = append(v.params[:i:i], v.params[i+1:]...)
			break
		}
	}
	delete(v.values, strings.ToLower(name))
	delete(v.names, strings.ToLower(name))
}

// isDefined is <IfDefine>'s test: case-sensitive on parameters.
func (v *vars) isDefined(name string) bool {
	for _, p := range v.params {
		if p == name {
			return true
		}
	}
	return false
}

// lookup resolves ${name}: Define'd variables first, then the environment.
func (v *vars) lookup(name string) (string, VarSource) {
	if val, ok := v.values[strings.ToLower(name)]; ok {
		return val, VarFromDefine
	}
	if v.lookupEnv != nil {
		if val, ok := v.lookupEnv(name); ok {
			return val, VarFromEnv
		}
	}
	return "", VarUndefined
}

// expand substitutes ${NAME} in line as Apache's ap_resolve_env does: the
// name ends at the first '}', a name containing ':' is left alone silently
// (mod_rewrite's ${map:key}), an undefined name is left verbatim and
// reported through undefined, and substituted values are not re-expanded.
// use is called for every reference, for lint.
func (v *vars) expand(line string, use func(name string, src VarSource)) string {
	if !strings.Contains(line, "${") {
		return line
	}
	var b strings.Builder
	for {
		i := strings.Index(line, "${")
		if i < 0 {
			b.WriteString(line)
			return b.String()
		}
		j := strings.IndexByte(line[i+2:], '}')
		if j < 0 {
			b.WriteString(line)
			return b.String()
		}
		name := line[i+2 : i+2+j]
		b.WriteString(line[:i])
		if strings.Contains(name, ":") || name == "" {
			b.WriteString(line[i : i+3+j])
		} else if val, src := v.lookup(name); src != VarUndefined {
			b.WriteString(val)
			use(name, src)
		} else {
			b.WriteString(line[i : i+3+j])
			use(name, VarUndefined)
		}
		line = line[i+3+j:]
	}
}
