import HTTP1

/// Turns the part of a request path after a static route's prefix into the names of the folders and
/// the file to open under the route's root, or rejects it. Pure.
///
/// Rules (each rejection is a 404, never a hint of what exists):
/// - the path is split at "/" first, then each segment is percent-decoded once, so an encoded
///   "%2f" cannot make a separator and an encoded "%2e%2e" is still a "..";
/// - empty segments ("//") are dropped; a "." or ".." segment is rejected (no walking up, and no
///   second spelling of a path);
/// - a segment holding NUL, "\" or a byte below 0x20 after decoding, or a broken escape, is
///   rejected;
/// - a segment starting with "." is rejected unless dotfiles are allowed.
enum StaticPath {
    struct Resolved: Equatable {
        /// Raw bytes of each name, in order; empty for the root itself.
        var segments: [[UInt8]]
        /// The path ended with "/" (or was empty): it names a folder.
        var namesFolder: Bool
    }

    static func resolve(_ path: some Collection<UInt8>, allowDotfiles: Bool) -> Resolved? {
        var segments: [[UInt8]] = []
        var current: [UInt8] = []
        var endsWithSlash = true
        func close() -> Bool {
            defer { current.removeAll(keepingCapacity: true) }
            guard !current.isEmpty else { return true }
            guard let name = decode(current), isAcceptable(name, allowDotfiles: allowDotfiles) else { return false }
            segments.append(name)
            return true
        }
        for byte in path {
            if byte == UInt8(ascii: "/") {
                guard close() else { return nil }
                endsWithSlash = true
            } else {
                current.append(byte)
                endsWithSlash = false
            }
        }
        guard close() else { return nil }
        return Resolved(segments: segments, namesFolder: endsWithSlash)
    }

    /// One round of percent-decoding; nil for a broken escape.
    static func decode(_ segment: [UInt8]) -> [UInt8]? {
        guard segment.contains(UInt8(ascii: "%")) else { return segment }
        var out: [UInt8] = []
        out.reserveCapacity(segment.count)
        var index = 0
        while index < segment.count {
            let byte = segment[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < segment.count, let high = asciiHexValue(segment[index + 1]),
                      let low = asciiHexValue(segment[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    private static func isAcceptable(_ name: [UInt8], allowDotfiles: Bool) -> Bool {
        if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { return false }
        if name.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "/") }) { return false }
        if !allowDotfiles && name.first == UInt8(ascii: ".") { return false }
        return true
    }
}
