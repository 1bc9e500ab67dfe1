/// `static = { root = "/srv/app/staticfiles", ... }` on a route: files served from a folder, with no
/// pool involved.
///
/// Invariants (after validation): `root` is an absolute path to a directory that existed when the
/// config was checked, with no trailing "/"; `index` is "" or one file name (no "/");
/// `immutablePattern` is "" or a regular expression that compiled.
public struct StaticConfig: Sendable, Equatable {
    public var root: String
    /// The file served for a request naming a folder ("" : none, and such a request gets 404;
    /// never a listing).
    public var index: String
    /// `Cache-Control: public, max-age=N`; 0 sends `no-cache` instead (revalidate each time).
    public var maxAgeSeconds: Int64
    /// A regular expression matched against the file name; a match adds `immutable` to
    /// `Cache-Control` (hashed names such as Django's ManifestStaticFilesStorage writes). "" : never.
    public var immutablePattern: String
    /// Serve names that start with "." (otherwise 404).
    public var allowDotfiles: Bool

    public init(root: String, index: String = ConfigDefaults.staticIndex,
                maxAgeSeconds: Int64 = ConfigDefaults.staticMaxAgeSeconds,
                immutablePattern: String = ConfigDefaults.staticImmutablePattern,
                allowDotfiles: Bool = ConfigDefaults.staticAllowDotfiles) {
        self.root = root
        self.index = index
        self.maxAgeSeconds = maxAgeSeconds
        self.immutablePattern = immutablePattern
        self.allowDotfiles = allowDotfiles
    }
}
