/// `access_log` and `access_log_format` in `[proxy]`: one line per request.
public struct AccessLogConfig: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case off
        case standardError
        /// An absolute path, appended to; SIGUSR1 reopens it (logrotate).
        case file(String)
    }

    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// One JSON object per line, every field named.
        case json
        /// Apache/nginx "combined", then the fields it lacks as key=value pairs.
        case combined
    }

    public var target: Target
    public var format: Format

    public init(target: Target = ConfigDefaults.accessLog, format: Format = ConfigDefaults.accessLogFormat) {
        self.target = target
        self.format = format
    }
}
