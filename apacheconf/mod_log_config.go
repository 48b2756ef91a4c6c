package apacheconf

// mod_log_config and core logging: LogFormat, CustomLog, ErrorLog, LogLevel.

var logSpecs = []Spec{}

var logHandlers = map[string]handler{}

// LogServer holds per-server settings.
type LogServer struct{}

// MergeVHost returns the settings of a virtual host: vh on top of main.
func (main *LogServer) MergeVHost(vh *LogServer) *LogServer {
	if vh == nil {
		return main
	}
	return vh
}
