// Command cmdtable reads the directive tables (command_rec arrays) that
// Apache httpd modules carry in their ELF images — the shared objects of
// Debian's apache2 and libapache2-mod-auth-openidc packages and the
// modules compiled into /usr/sbin/apache2 — and prints them as a Go source
// file of apacheconf.Spec values: name, module, argument class, override
// mask and help text, exactly as the real server uses them.
//
// It reads data only; nothing is loaded or executed. x86-64 only.
//
//	go run ./tools/cmdtable > apacheconf/specs_apache_gen.go
package main

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// image is an ELF file with its R_X86_64_RELATIVE relocations resolved.
type image struct {
	f     *elf.File
	reloc map[uint64]uint64 // address of a pointer → the address it holds
}

func open(path string) (*image, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	im := &image{f: f, reloc: map[uint64]uint64{}}
	syms, _ := f.DynamicSymbols() // index i here is symbol i+1 in relocations
	for _, s := range f.Sections {
		if s.Type != elf.SHT_RELA {
			continue
		}
		data, err := s.Data()
		if err != nil {
			return nil, err
		}
		for i := 0; i+24 <= len(data); i += 24 {
			off := binary.LittleEndian.Uint64(data[i:])
			info := binary.LittleEndian.Uint64(data[i+8:])
			add := binary.LittleEndian.Uint64(data[i+16:])
			switch elf.R_X86_64(info & 0xffffffff) {
			case elf.R_X86_64_RELATIVE:
				im.reloc[off] = add
			case elf.R_X86_64_64: // a pointer to an exported symbol
				if idx := int(info>>32) - 1; idx >= 0 && idx < len(syms) && syms[idx].Value != 0 {
					im.reloc[off] = syms[idx].Value + add
				}
			}
		}
	}
	return im, nil
}

// read returns n bytes at a virtual address.
func (im *image) read(addr uint64, n int) ([]byte, error) {
	for _, p := range im.f.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr+uint64(n) <= p.Vaddr+p.Filesz {
			b := make([]byte, n)
			_, err := p.ReadAt(b, int64(addr-p.Vaddr))
			return b, err
		}
	}
	return nil, fmt.Errorf("address %#x not in a loaded segment", addr)
}

// ptr reads a pointer stored at addr, following a relative relocation.
func (im *image) ptr(addr uint64) uint64 {
	if v, ok := im.reloc[addr]; ok {
		return v
	}
	b, err := im.read(addr, 8)
	if err != nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func (im *image) cstring(addr uint64) string {
	if addr == 0 {
		return ""
	}
	var out []byte
	for {
		b, err := im.read(addr, 1)
		if err != nil || b[0] == 0 {
			return string(out)
		}
		out = append(out, b[0])
		addr++
	}
}

func (im *image) symbol(name string) (uint64, bool) {
	syms, _ := im.f.DynamicSymbols()
	for _, s := range syms {
		if s.Name == name {
			return s.Value, true
		}
	}
	return 0, false
}

type cmd struct {
	name, module, help string
	how                int
	override           int
}

// Offsets in httpd 2.4's module struct and command_rec on LP64.
const (
	moduleCmdsOffset = 88
	cmdSize          = 40
)

func (im *image) commands(symbol, module string) ([]cmd, error) {
	addr, ok := im.symbol(symbol)
	if !ok {
		return nil, fmt.Errorf("no symbol %s", symbol)
	}
	cmds := im.ptr(addr + moduleCmdsOffset)
	var out []cmd
	for i := 0; cmds != 0; i++ {
		rec := cmds + uint64(i*cmdSize)
		name := im.cstring(im.ptr(rec))
		if name == "" {
			break
		}
		b, err := im.read(rec+24, 8)
		if err != nil {
			return nil, err
		}
		out = append(out, cmd{
			name:     name,
			module:   module,
			override: int(binary.LittleEndian.Uint32(b[0:])),
			how:      int(binary.LittleEndian.Uint32(b[4:])),
			help:     im.cstring(im.ptr(rec + 32)),
		})
	}
	return out, nil
}

// Apache's enum cmd_how, in order, as apacheconf names the classes.
var classes = []string{"RawArgs", "Take1", "Take2", "Iterate", "Iterate2", "Flag", "NoArgs", "Take12", "Take3", "Take23", "Take123", "Take13", "TakeArgv"}

func overrideExpr(o int) string {
	names := []struct {
		bit  int
		name string
	}{{1, "OrLimit"}, {2, "OrOptions"}, {4, "OrFileInfo"}, {8, "OrAuthCfg"}, {16, "OrIndexes"}, {64, "AccessConf"}, {128, "RsrcConf"}, {2048, "ProxyConf"}}
	if o&31 == 31 {
		o &^= 31
		var rest []string
		for _, n := range names {
			if o&n.bit != 0 {
				rest = append(rest, n.name)
			}
		}
		return strings.Join(append([]string{"OrAll"}, rest...), " | ")
	}
	var parts []string
	for _, n := range names {
		if o&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, " | ")
}

// moduleName turns a module identifier into the registry's module name.
func moduleName(id string) string {
	switch id {
	case "core_module":
		return "core"
	case "http_module":
		return "http_core"
	case "mpm_event_module", "mpm_worker_module", "mpm_prefork_module":
		return "mpm_common"
	}
	return "mod_" + strings.TrimSuffix(id, "_module")
}

func main() {
	var all []cmd
	seen := map[string]bool{}
	add := func(path, symbol string) {
		im, err := open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		cmds, err := im.commands(symbol, moduleName(symbol))
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			os.Exit(1)
		}
		for _, c := range cmds {
			key := strings.ToLower(c.name)
			if seen[key] { // MPMs share the mpm_common directives
				continue
			}
			seen[key] = true
			all = append(all, c)
		}
	}
	for _, s := range []string{"core_module", "http_module", "so_module", "watchdog_module", "log_config_module", "logio_module", "version_module", "unixd_module"} {
		add("/usr/sbin/apache2", s)
	}
	mods, _ := filepath.Glob("/usr/lib/apache2/modules/mod_*.so")
	sort.Strings(mods)
	for _, m := range mods {
		base := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "mod_"), ".so")
		sym := base + "_module"
		if strings.HasPrefix(base, "mpm_") {
			sym = base + "_module"
		}
		im, err := open(m)
		if err != nil {
			continue
		}
		if _, ok := im.symbol(sym); !ok {
			fmt.Fprintf(os.Stderr, "skipping %s: no %s\n", m, sym)
			continue
		}
		add(m, sym)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].module != all[j].module {
			return all[i].module < all[j].module
		}
		return false
	})
	fmt.Println("// Code generated by go run ./tools/cmdtable from the command tables of Debian's")
	fmt.Println("// apache2 2.4.71 and libapache2-mod-auth-openidc 2.4.12.3; DO NOT EDIT.")
	fmt.Println()
	fmt.Println("package apacheconf")
	fmt.Println()
	fmt.Println("// apacheSpecs are the directives of every Apache module Debian ships and of")
	fmt.Println("// mod_auth_openidc, with the argument class, override mask and help text")
	fmt.Println("// the real server uses. Statuses and extra context checks are added by")
	fmt.Println("// the policy tables (see registry_policy.go).")
	fmt.Println("var apacheSpecs = []Spec{")
	for _, c := range all {
		if c.how < 0 || c.how >= len(classes) {
			fmt.Fprintf(os.Stderr, "%s: unknown class %d\n", c.name, c.how)
			os.Exit(1)
		}
		fmt.Printf("\t{Name: %s, Module: %q, Class: %s, Override: %s, Help: %s},\n",
			strconv.Quote(c.name), c.module, classes[c.how], overrideExpr(c.override&(0xff|2048)), strconv.Quote(c.help))
	}
	fmt.Println("}")
}
