import CLibUV

/// A libuv error code (always negative), with libuv's own name and message.
public struct UVError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int32

    public init(_ code: Int32) {
        precondition(code < 0, "libuv error codes are negative")
        self.code = code
    }

    /// libuv's symbolic name, e.g. "ECONNREFUSED".
    public var name: String { String(cString: uv_err_name(code)) }

    public var description: String { "\(name): \(String(cString: uv_strerror(code)))" }

    public var isConnectionRefused: Bool { code == UV_ECONNREFUSED.rawValue }

    /// `UV_ETIMEDOUT`, used for our own deadlines so callers see one error vocabulary.
    public static let timedOut = UVError(UV_ETIMEDOUT.rawValue)
    public static let addressInUse = UVError(UV_EADDRINUSE.rawValue)
    /// `UV_EOF`: a file or stream ended before the bytes expected of it.
    public static let endOfFile = UVError(UV_EOF.rawValue)

    /// Throws when `result` is a libuv error code.
    @inline(__always)
    static func check(_ result: Int32) throws(UVError) {
        if result < 0 { throw UVError(result) }
    }
}
