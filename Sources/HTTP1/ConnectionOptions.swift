/// The options listed in Connection fields (RFC 9110 §7.6.1).
///
/// Applying them also marks every field the Connection value names as hop-by-hop, so that
/// serializers drop it. Host is never marked: a client must not be able to strip the Host
/// the upstream routes on by listing it in Connection.
struct ConnectionOptions: Sendable, Equatable {
    var close = false
    var keepAlive = false
    var upgrade = false

    /// Parses every Connection field; nil when an option is not a token.
    static func apply(to fields: inout [HeaderField], in buffer: UnsafeRawBufferPointer) -> ConnectionOptions? {
        var options = ConnectionOptions()
        for index in fields.indices where fields[index].token == .connection {
            for option in CommaList(fields[index].value, in: buffer) {
                guard buffer.isToken(option) else { return nil }
                if buffer.equalsIgnoringCase(option, "close") {
                    options.close = true
                } else if buffer.equalsIgnoringCase(option, "keep-alive") {
                    // The Keep-Alive field is hop-by-hop already.
                    options.keepAlive = true
                } else if buffer.equalsIgnoringCase(option, "upgrade") {
                    // The Upgrade field is hop-by-hop already.
                    options.upgrade = true
                } else {
                    for other in fields.indices
                    where fields[other].token != .host && buffer.equalsIgnoringCase(fields[other].name, option) {
                        fields[other].isHopByHop = true
                    }
                }
            }
        }
        return options
    }

    /// Whether the connection stays open after a message with these options (RFC 9112 §9.3):
    /// for HTTP/1.1 unless "close"; for HTTP/1.0 only with "keep-alive" and without "close".
    func persists(version: HTTPVersion) -> Bool {
        version == .http1_1 ? !close : keepAlive && !close
    }
}
