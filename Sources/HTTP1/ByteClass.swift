/// Byte classification for the parsers: one 256-entry table, one bit per character class,
/// so each check in a hot loop is a single load and mask.
enum ByteClass {
    /// `tchar` (RFC 9110 §5.6.2): the characters of tokens (methods, field names, codings).
    static let token: UInt8 = 1 << 0
    /// Allowed inside a field value or reason phrase: VCHAR, SP, HTAB, obs-text
    /// (RFC 9110 §5.5). Excludes NUL, CR, LF, the other CTLs and DEL.
    static let fieldValue: UInt8 = 1 << 1
    /// Allowed in a request-target: visible US-ASCII (0x21–0x7E). RFC 3986 URIs are ASCII,
    /// and spaces or controls in a target are a request-smuggling vector.
    static let target: UInt8 = 1 << 2
    /// DIGIT.
    static let digit: UInt8 = 1 << 3
    /// reg-name characters (RFC 3986 §3.2.2): unreserved, sub-delims and `%`.
    static let regName: UInt8 = 1 << 4

    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for b in 0x21...0x7E {
            t[b] |= fieldValue | target
        }
        for b in 0x80...0xFF {
            t[b] |= fieldValue
        }
        t[0x20] |= fieldValue
        t[0x09] |= fieldValue
        for b in "!#$%&'*+-.^_`|~".utf8 {
            t[Int(b)] |= token
        }
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") {
            t[Int(b)] |= token | digit | regName
        }
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") {
            t[Int(b)] |= token | regName
        }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") {
            t[Int(b)] |= token | regName
        }
        for b in "-._~!$&'()*+,;=%".utf8 {
            t[Int(b)] |= regName
        }
        return t
    }()

    /// Runs `body` with the table borrowed as a buffer. Hot loops use this: reading the lazy
    /// global `table` costs an initialization check on every access, which the optimizer does
    /// not hoist out of byte loops.
    @inline(__always)
    static func withView<R, E: Error>(_ body: (View) throws(E) -> R) throws(E) -> R {
        try table.withUnsafeBufferPointer { (buffer) throws(E) -> R in try body(View(table: buffer)) }
    }

    /// The table borrowed for the duration of a `withView` call.
    struct View {
        let table: UnsafeBufferPointer<UInt8>

        @inline(__always) func isToken(_ b: UInt8) -> Bool { table[Int(b)] & ByteClass.token != 0 }
        @inline(__always) func isFieldValue(_ b: UInt8) -> Bool { table[Int(b)] & ByteClass.fieldValue != 0 }
        @inline(__always) func isTarget(_ b: UInt8) -> Bool { table[Int(b)] & ByteClass.target != 0 }
    }

    @inline(__always)
    static func isToken(_ b: UInt8) -> Bool { table[Int(b)] & token != 0 }

    @inline(__always)
    static func isFieldValue(_ b: UInt8) -> Bool { table[Int(b)] & fieldValue != 0 }

    @inline(__always)
    static func isTarget(_ b: UInt8) -> Bool { table[Int(b)] & target != 0 }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { table[Int(b)] & digit != 0 }

    @inline(__always)
    static func isRegName(_ b: UInt8) -> Bool { table[Int(b)] & regName != 0 }

    /// The value of a HEXDIG, or nil. (A range switch, not a table bit: it yields the value too.)
    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    /// ASCII lowercase; other bytes unchanged (no locale, no Unicode).
    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 {
        b &- UInt8(ascii: "A") < 26 ? b | 0x20 : b
    }

    @inline(__always)
    static func isOWS(_ b: UInt8) -> Bool { b == .space || b == .tab }
}

extension UInt8 {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")
    static let slash = UInt8(ascii: "/")
    static let question = UInt8(ascii: "?")
}
