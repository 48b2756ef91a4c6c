package apacheconf

import (
	"path"
	"sort"
	"strings"
)

// debianStatic are the modules Debian's apache2 binary has compiled in; they
// are loaded before any LoadModule line is read.
var debianStatic = []string{
	"core_module", "so_module", "watchdog_module", "http_module",
	"log_config_module", "logio_module", "version_module", "unixd_module",
}

// oidcgateModule is the pseudo-module that oidcgate treats as loaded and
// Apache never has, so extension directives can live in
// <IfModule oidcgate.c> and the file stays valid for Apache.
const oidcgateModule = "oidcgate_module"

// moduleFileExceptions maps module identifiers whose source file is not
// mod_X.c (checked against Debian's binaries).
var moduleFileExceptions = map[string]string{
	"mpm_event_module":   "event.c",
	"mpm_prefork_module": "prefork.c",
	"mpm_worker_module":  "worker.c",
	"ldap_module":        "util_ldap.c",
	"core_module":        "core.c",
	"http_module":        "http_core.c",
	"oidcgate_module":    "oidcgate.c",
}

// ModuleFile returns the source file name <IfModule> accepts for a module
// identifier: "proxy_module" → "mod_proxy.c".
func ModuleFile(id string) string {
	if f, ok := moduleFileExceptions[id]; ok {
		return f
	}
	return "mod_" + strings.TrimSuffix(id, "_module") + ".c"
}

// ModuleID returns the module identifier for a registry module name as used
// in Spec.Module ("mod_proxy" → "proxy_module", "core" → "core_module").
func ModuleID(module string) string {
	switch module {
	case "core", "":
		return "core_module"
	case "http_core":
		return "http_module"
	case "mpm_common", "event", "prefork", "worker":
		return "mpm_common"
	}
	return strings.TrimPrefix(module, "mod_") + "_module"
}

// ModuleSet is the set of loaded modules as the read pass sees it.
type ModuleSet struct {
	loaded map[string]LoadedModule // by identifier
	byFile map[string]string       // source file → identifier
	order  []string
	// All is true in fragment mode: the configuration loads no module at
	// all (a site file read on its own), so every module oidcgate knows
	// (debianModules: Debian's, without the MPMs) counts as loaded; an
	// unknown one (<IfModule mod_nothing.c>) does not, as in Apache.
	All bool
}

// LoadedModule is one entry of the module set.
type LoadedModule struct {
	ID     string
	Static bool
	Path   string // the LoadModule path, "" for static modules
	Pos    Pos
}

// NewModuleSet returns Debian's static modules plus oidcgate's own.
func NewModuleSet() *ModuleSet {
	m := &ModuleSet{loaded: map[string]LoadedModule{}, byFile: map[string]string{}}
	for _, id := range debianStatic {
		m.add(LoadedModule{ID: id, Static: true})
	}
	m.add(LoadedModule{ID: oidcgateModule, Static: true})
	return m
}

func (m *ModuleSet) add(lm LoadedModule) {
	m.loaded[lm.ID] = lm
	m.byFile[ModuleFile(lm.ID)] = lm.ID
	m.order = append(m.order, lm.ID)
}

// Load records a LoadModule line. It returns false when the module was
// already loaded (Apache warns AH01574 and skips).
func (m *ModuleSet) Load(id, file string, pos Pos) bool {
	if _, ok := m.loaded[id]; ok {
		return false
	}
	m.add(LoadedModule{ID: id, Path: file, Pos: pos})
	return true
}

// Has reports whether <IfModule name> is true: name is a module identifier
// (proxy_module) or a source file name (mod_proxy.c, directory prefixes
// ignored). Both forms are case-sensitive, as in Apache. In fragment mode
// every module Debian ships counts as loaded, and no other.
func (m *ModuleSet) Has(name string) bool {
	if strings.HasSuffix(name, ".c") {
		name = path.Base(name)
		if _, ok := m.byFile[name]; ok {
			return true
		}
		_, known := debianModuleFiles[name]
		return m.All && known
	}
	if _, ok := m.loaded[name]; ok {
		return true
	}
	return m.All && debianModules[name]
}

// HasModule reports whether the registry module (Spec.Module) is available.
func (m *ModuleSet) HasModule(module string) bool {
	id := ModuleID(module)
	if id == "mpm_common" {
		return true // oidcgate has no MPMs; their common directives always parse
	}
	return m.Has(id)
}

// HasMPM reports whether an MPM module was loaded.
func (m *ModuleSet) HasMPM() bool {
	for id := range m.loaded {
		if strings.HasPrefix(id, "mpm_") {
			return true
		}
	}
	return false
}

// List returns the loaded modules in load order (static ones first), as
// apache2 -M lists them: oidcgate's own pseudo-module is left out.
func (m *ModuleSet) List() []LoadedModule {
	out := make([]LoadedModule, 0, len(m.order))
	for _, id := range m.order {
		if id != oidcgateModule {
			out = append(out, m.loaded[id])
		}
	}
	return out
}

// IDs returns the loaded identifiers, sorted.
func (m *ModuleSet) IDs() []string {
	out := make([]string, 0, len(m.loaded))
	for id := range m.loaded {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
