#if canImport(Glibc)
import Glibc
#endif

/// Each client connection holds a file descriptor, and one more for its upstream connection while
/// proxied; Debian's default soft limit of 1024 would refuse clients long before `max_connections`.
enum OpenFileLimit {
    /// Raises the soft limit on open files to the hard limit, and returns the limit now in force.
    static func raiseToHardLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(RLIMIT_NOFILE_VALUE, &raised) == 0 { limit = raised }
        }
        return UInt64(limit.rlim_cur)
    }

    /// Descriptors `max_connections` clients may need: their own, their upstream connection's, and
    /// some for listeners, temp files and health checks.
    static func needed(maxConnections: Int) -> UInt64 {
        UInt64(maxConnections) * 2 + 64
    }
}

private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
