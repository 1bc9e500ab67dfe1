/// Just enough JSON output for the probe: an object written key by key.
struct JSONWriter {
    private(set) var text = "{"
    private var first = true

    /// Bytes as a JSON string with one character per byte (U+0000–U+00FF), so a reader gets the
    /// exact bytes back with a Latin-1 encode, whatever they are.
    static func quoted(_ bytes: some Sequence<UInt8>) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), b]
            case 0x20..<0x7F:
                out.append(b)
            default:
                out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    mutating func raw(_ key: String, _ json: String) {
        text += (first ? "" : ",") + "\"\(key)\":" + json
        first = false
    }

    mutating func bytes(_ key: String, _ value: some Sequence<UInt8>) { raw(key, Self.quoted(value)) }
    mutating func string(_ key: String, _ value: String) { raw(key, Self.quoted(Array(value.utf8))) }
    mutating func int(_ key: String, _ value: some BinaryInteger) { raw(key, "\(value)") }
    mutating func bool(_ key: String, _ value: Bool) { raw(key, value ? "true" : "false") }

    func finished() -> String { text + "}" }
}
