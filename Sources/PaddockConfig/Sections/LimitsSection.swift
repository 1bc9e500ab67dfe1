/// `[limits]`: how big a request may be, and how many clients may be connected.
enum LimitsSection {
    static let schema: TableSchema = ["max_header_bytes", "max_headers", "max_uri_bytes", "max_body_bytes", "max_connections"]

    static func decode(_ node: TOMLNode?, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> LimitsConfig {
        let defaults = LimitsConfig()
        guard let node, let reader = TableReader.open(node, at: path, schema: schema, &diagnostics) else { return defaults }
        var limits = LimitsConfig(
            maxHeaderBytes: reader.optional("max_header_bytes", .byteCount(in: 256...LimitsConfig.headerBytesCeiling),
                                            default: defaults.maxHeaderBytes, &diagnostics),
            maxHeaders: reader.optional("max_headers", .integer(in: 1...10_000), default: defaults.maxHeaders, &diagnostics),
            maxURIBytes: reader.optional("max_uri_bytes", .byteCount(in: 64...(1 << 20)), default: defaults.maxURIBytes, &diagnostics),
            maxBodyBytes: reader.optional("max_body_bytes", .byteSize, default: defaults.maxBodyBytes, &diagnostics),
            maxConnections: reader.optional("max_connections", .integer(in: 1...10_000_000), default: defaults.maxConnections, &diagnostics)
        )
        if limits.maxURIBytes > limits.maxHeaderBytes {
            if reader.node("max_uri_bytes") == nil {
                // Only the head was made smaller: the request line is part of it.
                limits.maxURIBytes = limits.maxHeaderBytes
            } else {
                diagnostics.report(path.key("max_uri_bytes"),
                                   "must not be larger than max_header_bytes (\(limits.maxHeaderBytes)), which bounds the whole head")
            }
        }
        return limits
    }
}
