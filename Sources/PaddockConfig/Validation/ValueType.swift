/// How one kind of config value is read from a TOML node, and what to say when it can't be.
///
/// Adding a key of an existing kind needs no new `ValueType`; a new kind is one small extension.
struct ValueType<Value> {
    /// The outcome of converting one node.
    enum Conversion {
        case value(Value)
        /// The node has the wrong TOML type; reported as "expected <expected>, got <node>".
        case wrongType
        /// Right TOML type, unacceptable content; the message is complete (value, reason, what is expected).
        case invalid(String)
    }

    /// What a valid value looks like, for "expected ..." parts of messages ("an integer", "true or false").
    let expected: String
    let convert: (TOMLNode) -> Conversion

    /// Converts `node`, reporting any problem at `path`; nil if the node was rejected.
    func read(_ node: TOMLNode, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> Value? {
        switch convert(node) {
        case .value(let value):
            return value
        case .wrongType:
            diagnostics.report(path, "expected \(expected), got \(node.describedForMessage)")
        case .invalid(let message):
            diagnostics.report(path, message)
        }
        return nil
    }
}
