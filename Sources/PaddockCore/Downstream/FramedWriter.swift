import HTTP1
import UV

/// Writes one message's head and body to a socket, adding chunked framing when asked, and batching
/// the small framing bytes with the data that follows them, so a head and its body leave in one writev.
///
/// Invariant: `prefix` holds bytes that must precede the next data (a head, a chunk's trailing CRLF);
/// `flush` sends it when no data is coming right now.
struct FramedWriter {
    private var prefix: [UInt8] = []
    private var prefixIsTheHead = true
    let chunked: Bool
    private(set) var bytesWritten: UInt64 = 0

    init(head: [UInt8], chunked: Bool) {
        prefix = head
        self.chunked = chunked
    }

    mutating func writeData(_ data: UnsafeRawBufferPointer, to sink: some ByteSink) {
        guard !data.isEmpty else { return }
        if chunked { ChunkedEncoder.appendChunkHeader(size: data.count, into: &prefix) }
        prefix.withUnsafeBytes { sink.write($0, data) }
        clearPrefix()
        if chunked { prefix.append(contentsOf: ChunkedEncoder.chunkTrailerCRLF) }
        bytesWritten += UInt64(data.count)
    }

    /// Ends a chunked body with the last chunk; nothing for other framings.
    mutating func finish() {
        if chunked { prefix.append(contentsOf: ChunkedEncoder.lastChunk) }
    }

    mutating func flush(to sink: some ByteSink) {
        guard !prefix.isEmpty else { return }
        sink.write(prefix)
        clearPrefix()
    }

    /// The head came in as an array the exchange may still hold, so keeping its capacity would copy
    /// it: it is dropped. From then on the prefix is the writer's own and keeps its capacity.
    private mutating func clearPrefix() {
        if prefixIsTheHead {
            prefix = []
            prefixIsTheHead = false
        } else {
            prefix.removeAll(keepingCapacity: true)
        }
    }
}
