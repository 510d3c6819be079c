package render

import (
	"fmt"
	"log/slog"
)

// NewLogger logs to sink in format (text or json) at level (debug, info, warn
// or error); quiet lowers it to errors only unless the level was asked for.
func NewLogger(sink *LogSink, format, level string, quiet, levelAsked bool) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	if quiet && !levelAsked {
		l = slog.LevelError // --quiet: the summary and errors, no warnings
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(sink, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(sink, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}
