// String conversions for PaddockCore (routing, logging, config matching). They allocate, so
// the parsers never call them; use them once per request, not per byte.

/// The bytes in `range` as a String; invalid UTF-8 (obs-text) is repaired with U+FFFD.
public func string(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> String {
    String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
}

/// The bytes in `range` as a String with ASCII letters lowercased (field names, hosts, tokens).
public func asciiLowercased(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> String {
    String(unsafeUninitializedCapacity: range.count) { out in
        for (n, i) in range.enumerated() { out[n] = ByteClass.lower(buffer[i]) }
        return range.count
    }
}

/// True if the bytes in `range` equal `literal` ignoring ASCII case, e.g. checking
/// `Upgrade: websocket` without creating a String.
public func asciiEqualsIgnoringCase(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
    buffer.equalsIgnoringCase(range, literal)
}

/// The value of an ASCII hex digit (RFC 5234 HEXDIG, either case), or nil: for percent-decoding.
public func asciiHexValue(_ byte: UInt8) -> UInt8? { ByteClass.hexValue(byte) }

/// The host part of a Host value or authority, lowercased and without `:port`.
/// An IP literal keeps its brackets (`[::1]:8080` → `[::1]`), which is how the host appears
/// in a URI (RFC 3986 §3.2.2) and cannot be confused with a port.
public func hostWithoutPort(_ host: Range<Int>, in buffer: UnsafeRawBufferPointer) -> String {
    var end = host.upperBound
    if let first = host.first, buffer[first] == UInt8(ascii: "[") {
        if let close = buffer.firstIndex(of: UInt8(ascii: "]"), in: host) { end = close + 1 }
    } else if let colon = buffer.firstIndex(of: .colon, in: host) {
        end = colon
    }
    return asciiLowercased(host.lowerBound..<end, in: buffer)
}
