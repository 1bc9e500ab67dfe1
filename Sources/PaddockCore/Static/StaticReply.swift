import HTTP1

/// What a static route answers for one file, decided from the request's headers and what is on
/// disk. Pure, so every rule of RFC 9110 it follows is unit-tested:
/// - `If-None-Match` (weak comparison, `*`) wins over `If-Modified-Since` (§13.1.1, §13.1.3);
///   either gives 304 with the validators and no body;
/// - one `Range: bytes=` range gives 206 with `Content-Range`; one that cannot be satisfied gives 416
///   with `Content-Range: bytes */size`; several ranges, or an `If-Range` that does not match, are
///   answered with the whole file (§14.2 lets a server ignore Range);
/// - a `.br` or `.gz` sibling is chosen when `Accept-Encoding` allows it (br first), with
///   `Content-Encoding`; any sibling adds `Vary: Accept-Encoding`.
struct StaticReply: Equatable {
    enum Encoding: Equatable {
        case identity, brotli, gzip

        /// The sibling's suffix on disk.
        var suffix: String {
            switch self {
            case .identity: ""
            case .brotli: ".br"
            case .gzip: ".gz"
            }
        }
    }

    /// One representation on disk.
    struct File: Equatable {
        var size: UInt64
        var modified: Int64
    }

    /// The request headers that matter, as raw bytes.
    struct Request {
        var isHead = false
        var ifNoneMatch: [UInt8]?
        var ifModifiedSince: [UInt8]?
        var range: [UInt8]?
        var ifRange: [UInt8]?
        var acceptEncoding: [UInt8]?
    }

    var status: Int
    var fields: [(String, String)]
    var encoding: Encoding
    /// The bytes of the chosen file to send; nil: no body (304, 416, HEAD).
    var body: Range<UInt64>?

    static func == (a: StaticReply, b: StaticReply) -> Bool {
        a.status == b.status && a.encoding == b.encoding && a.body == b.body
            && a.fields.map { [$0.0, $0.1] } == b.fields.map { [$0.0, $0.1] }
    }

    static func plan(_ request: Request, name: [UInt8], identity: File, brotli: File? = nil, gzip: File? = nil,
                     cacheControl: String) -> StaticReply {
        var encoding = Encoding.identity
        var file = identity
        let accepted = acceptedCodings(request.acceptEncoding)
        if let brotli, accepted.brotli {
            encoding = .brotli
            file = brotli
        } else if let gzip, accepted.gzip {
            encoding = .gzip
            file = gzip
        }
        let tag = etag(file, encoding)
        var fields: [(String, String)] = [
            ("Content-Type", MediaTypes.type(forName: name)),
            ("ETag", tag),
            ("Last-Modified", HTTPDate.format(file.modified)),
            ("Cache-Control", cacheControl),
            ("Accept-Ranges", "bytes"),
        ]
        if brotli != nil || gzip != nil { fields.append(("Vary", "Accept-Encoding")) }
        if encoding != .identity { fields.append(("Content-Encoding", encoding == .brotli ? "br" : "gzip")) }

        if notModified(request, tag: tag, modified: file.modified) {
            // A 304 carries the validators and caching fields, not the body's own (RFC 9110 §15.4.5).
            let kept: Set = ["ETag", "Last-Modified", "Cache-Control", "Vary"]
            return StaticReply(status: 304, fields: fields.filter { kept.contains($0.0) }, encoding: encoding, body: nil)
        }
        var status = 200
        var body: Range<UInt64> = 0..<file.size
        if let range = request.range, rangeApplies(request.ifRange, tag: tag, modified: file.modified) {
            switch byteRange(range, size: file.size) {
            case let .satisfiable(bytes):
                status = 206
                body = bytes
                fields.append(("Content-Range", "bytes \(bytes.lowerBound)-\(bytes.upperBound - 1)/\(file.size)"))
            case .unsatisfiable:
                // Not cacheable, as nginx sends it.
                var error = fields.filter { $0.0 != "Cache-Control" && $0.0 != "Content-Encoding" }
                error.append(("Content-Range", "bytes */\(file.size)"))
                error.append(("Content-Length", "0"))
                return StaticReply(status: 416, fields: error, encoding: encoding, body: nil)
            case .ignored:
                break
            }
        }
        fields.append(("Content-Length", "\(body.count)"))
        return StaticReply(status: status, fields: fields, encoding: encoding, body: request.isHead ? nil : body)
    }

    /// A strong validator from size and time, as nginx makes them; a compressed sibling is another
    /// representation, so its tag differs.
    static func etag(_ file: File, _ encoding: Encoding) -> String {
        let base = "\(String(UInt64(bitPattern: file.modified), radix: 16))-\(String(file.size, radix: 16))"
        return "\"\(base)\(encoding == .identity ? "" : encoding.suffix.replacing(".", with: "-"))\""
    }

    private static func notModified(_ request: Request, tag: String, modified: Int64) -> Bool {
        if let list = request.ifNoneMatch {
            return listElements(list).contains { candidate in
                candidate == Array("*".utf8) || weakEqual(candidate, tag)
            }
        }
        if let since = request.ifModifiedSince.flatMap(HTTPDate.parse) { return modified <= since }
        return false
    }

    /// Weak comparison (§8.8.3.2): equal once any `W/` is set aside.
    private static func weakEqual(_ candidate: [UInt8], _ tag: String) -> Bool {
        let stripped = candidate.starts(with: Array("W/".utf8)) ? Array(candidate.dropFirst(2)) : candidate
        return stripped == Array(tag.utf8)
    }

    /// `If-Range` with a strong tag that matches, or the date of the file: otherwise send it all.
    private static func rangeApplies(_ ifRange: [UInt8]?, tag: String, modified: Int64) -> Bool {
        guard let ifRange else { return true }
        if ifRange.first == UInt8(ascii: "\"") { return ifRange == Array(tag.utf8) }
        return HTTPDate.parse(ifRange) == modified
    }

    enum RangeResult: Equatable {
        case satisfiable(Range<UInt64>)
        case unsatisfiable
        /// Not one well-formed byte range: answer with the whole file.
        case ignored
    }

    /// `bytes=first-last`, `bytes=first-` or `bytes=-suffix` (RFC 9110 §14.1.2), one range only.
    static func byteRange(_ value: [UInt8], size: UInt64) -> RangeResult {
        let unit = Array("bytes=".utf8)
        guard value.count > unit.count, Array(value.prefix(unit.count)).map({ $0 | 0x20 }) == unit else { return .ignored }
        let spec = Array(value.dropFirst(unit.count))
        guard !spec.contains(UInt8(ascii: ",")), let dash = spec.firstIndex(of: UInt8(ascii: "-")) else { return .ignored }
        let first = number(spec[..<dash])
        let last = number(spec[(dash + 1)...])
        switch (spec[..<dash].isEmpty, spec[(dash + 1)...].isEmpty) {
        case (true, false):  // the last N bytes
            guard let suffix = last else { return .ignored }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .satisfiable((size - min(suffix, size))..<size)
        case (false, true):
            guard let first else { return .ignored }
            return first < size ? .satisfiable(first..<size) : .unsatisfiable
        case (false, false):
            guard let first, let last, first <= last else { return .ignored }
            return first < size ? .satisfiable(first..<(min(last, size - 1) + 1)) : .unsatisfiable
        case (true, true):
            return .ignored
        }
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The elements of a comma-separated field value (`CommaList`: trimmed, empty ones skipped).
    static func listElements(_ value: [UInt8]) -> [[UInt8]] {
        value.withUnsafeBytes { bytes in CommaList(0..<bytes.count, in: bytes).map { Array(bytes[$0]) } }
    }

    /// Which codings `Accept-Encoding` allows (a q of 0 refuses; `*` allows what is not named).
    static func acceptedCodings(_ header: [UInt8]?) -> (brotli: Bool, gzip: Bool) {
        guard let header else { return (false, false) }
        var named: [String: Bool] = [:]
        var star: Bool?
        for element in listElements(header) {
            let parts = element.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            let coding = String(decoding: parts[0], as: UTF8.self).trimmingSpaces().lowercased()
            var allowed = true
            for parameter in parts.dropFirst() {
                let text = String(decoding: parameter, as: UTF8.self).trimmingSpaces().lowercased()
                if text.hasPrefix("q="), let q = Double(text.dropFirst(2)) { allowed = q > 0 }
            }
            if coding == "*" { star = allowed } else { named[coding] = allowed }
        }
        return (named["br"] ?? star ?? false, named["gzip"] ?? named["x-gzip"] ?? star ?? false)
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
