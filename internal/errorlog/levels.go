package errorlog

import (
	"log/slog"
	"strconv"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// Apache's levels as slog levels. error, warn, info and debug are slog's
// own; the others sit between or around them, one step per Apache level.
const (
	LevelEmerg  = slog.LevelError + 3
	LevelAlert  = slog.LevelError + 2
	LevelCrit   = slog.LevelError + 1
	LevelError  = slog.LevelError
	LevelWarn   = slog.LevelWarn
	LevelNotice = slog.LevelInfo + 2
	LevelInfo   = slog.LevelInfo
	LevelDebug  = slog.LevelDebug
	// LevelTrace1 … trace8 are LevelDebug-1 … LevelDebug-8.
	LevelTrace1 = slog.LevelDebug - 1
	LevelTrace8 = slog.LevelDebug - 8
)

// ParseLevel reads an Apache level keyword (emerg … debug, trace1-8).
func ParseLevel(s string) (slog.Level, bool) {
	switch strings.ToLower(s) {
	case "emerg":
		return LevelEmerg, true
	case "alert":
		return LevelAlert, true
	case "crit":
		return LevelCrit, true
	case "error":
		return LevelError, true
	case "warn":
		return LevelWarn, true
	case "notice":
		return LevelNotice, true
	case "info":
		return LevelInfo, true
	case "debug":
		return LevelDebug, true
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(s), "trace")); err == nil && strings.HasPrefix(strings.ToLower(s), "trace") && n >= 1 && n <= 8 {
		return LevelDebug - slog.Level(n), true
	}
	return 0, false
}

// LevelName is the Apache keyword of a level (a level between two
// keywords takes the lower one).
func LevelName(l slog.Level) string {
	switch {
	case l >= LevelEmerg:
		return "emerg"
	case l >= LevelAlert:
		return "alert"
	case l >= LevelCrit:
		return "crit"
	case l >= LevelError:
		return "error"
	case l >= LevelWarn:
		return "warn"
	case l >= LevelNotice:
		return "notice"
	case l >= LevelInfo:
		return "info"
	case l >= LevelDebug:
		return "debug"
	case l <= LevelTrace8:
		return "trace8"
	}
	return "trace" + strconv.Itoa(int(LevelDebug-l))
}

// Levels is a LogLevel: the server's level and per-module levels, keyed by
// Apache's module name without "_module" ("proxy", "auth_openidc").
type Levels struct {
	Default slog.Level
	Modules map[string]slog.Level
}

// DefaultLevels is Apache's LogLevel when none is set: warn.
var DefaultLevels = Levels{Default: LevelWarn}

// LevelsOf converts a compiled LogLevel (nil: Apache's default, warn).
func LevelsOf(ll *apacheconf.LogLevel) Levels {
	lv := DefaultLevels
	if ll == nil {
		return lv
	}
	if l, ok := ParseLevel(ll.Level); ok {
		lv.Default = l
	}
	for m, name := range ll.Modules {
		if l, ok := ParseLevel(name); ok {
			if lv.Modules == nil {
				lv.Modules = map[string]slog.Level{}
			}
			lv.Modules[ModuleName(m)] = l
		}
	}
	return lv
}

// For is the level that applies to a module.
func (l Levels) For(module string) slog.Level {
	if lv, ok := l.Modules[ModuleName(module)]; ok {
		return lv
	}
	return l.Default
}

// Min is the lowest level any module logs at.
func (l Levels) Min() slog.Level {
	m := l.Default
	for _, lv := range l.Modules {
		m = min(m, lv)
	}
	return m
}

// ModuleName is the name a line's module is logged and filtered under:
// Apache's module name without "mod_", ".c" or "_module"; oidcgate's
// "oidc" package logs as mod_auth_openidc does, "auth_openidc".
func ModuleName(m string) string {
	m = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(m), "mod_"), ".c"), "_module")
	if m == "oidc" {
		return "auth_openidc"
	}
	if m == "" {
		return "core"
	}
	return m
}
