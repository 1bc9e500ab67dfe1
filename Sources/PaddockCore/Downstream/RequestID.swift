import HTTP1

/// The X-Request-ID of a request: the client's own when it sent exactly one that is sane
/// (1 to 128 bytes of letters, digits and `-_.:+/=`), else a new one. It is forwarded upstream
/// and echoed in the response, so a log line on each side can be matched.
enum RequestID {
    static let maxBytes = 128

    /// The client's id, if it sent exactly one sane X-Request-ID.
    static func accepted(from head: RequestHead, in input: UnsafeRawBufferPointer) -> String? {
        var found: Range<Int>?
        for field in head.fields where field.token == .xRequestID {
            guard found == nil else { return nil }  // two ids: neither can be trusted
            found = field.value
        }
        guard let value = found, (1...maxBytes).contains(value.count),
              input[value].allSatisfy(isIDByte) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: input[value]), as: UTF8.self)
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "+"),
             UInt8(ascii: "/"), UInt8(ascii: "="):
            true
        default:
            false
        }
    }
}

/// Makes request ids: 32 hex digits, a random 64-bit prefix drawn once per loop and a counter, so
/// ids never repeat within a process and collide across processes only by chance (2^-64).
struct RequestIDGenerator {
    private let prefix: String
    private var counter: UInt64 = 0

    init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        prefix = Self.hex(seed)
    }

    mutating func next() -> String {
        counter &+= 1
        return prefix + Self.hex(counter)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
