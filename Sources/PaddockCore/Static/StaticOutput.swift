import UV

/// A static route's answer on its way to the client: the head (and a short body of our own), then
/// the bytes of a file, read on libuv's thread pool a buffer at a time while the client's write
/// queue is below the high-water mark.
final class StaticOutput {
    private let client: any Transport
    private var head: [UInt8]?
    private let reader: FileReader?
    private var offset: UInt64
    private let end: UInt64
    private let highWaterBytes: Int
    /// Bytes read and not yet written.
    private var ready = 0
    private(set) var bodyBytes: UInt64 = 0
    private(set) var failure: UVError?
    /// A read finished: the connection asks for more (`fileDataRead`).
    var onDataRead: (() -> Void)?

    /// `body`: bytes of `reader`'s file to send after `head`; nil for a head alone, or one with a
    /// short body of `shortBodyBytes` already appended.
    init(client: any Transport, head: [UInt8], shortBodyBytes: Int = 0, reader: FileReader?, body: Range<UInt64>?,
         highWaterBytes: Int) {
        self.client = client
        self.head = head
        bodyBytes = UInt64(shortBodyBytes)
        self.reader = reader
        offset = body?.lowerBound ?? 0
        end = body?.upperBound ?? 0
        self.highWaterBytes = highWaterBytes
        if body == nil { reader?.close() }
    }

    /// Writes what it can; `.responseDelivered` once everything is handed to the client.
    func deliver() -> DownstreamEvent? {
        if let head {
            client.write(head)
            self.head = nil
        }
        while client.writeQueueBytes <= highWaterBytes {
            if let failure { return .failed(.staticFileFailed(failure)) }
            if ready > 0, let reader {
                client.write(UnsafeRawBufferPointer(rebasing: reader.buffer[0..<ready]))
                bodyBytes += UInt64(ready)
                offset += UInt64(ready)
                ready = 0
                continue
            }
            guard offset < end, let reader else {
                reader?.close()
                return .responseDelivered
            }
            if !reader.isReading { startRead(reader) }
            return nil
        }
        return nil
    }

    private func startRead(_ reader: FileReader) {
        reader.read(at: offset, count: Int(min(UInt64(reader.buffer.count), end - offset))) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(0): self.failure = .endOfFile  // the file shrank under us
            case let .success(count): self.ready = count
            case let .failure(error): self.failure = error
            }
            self.onDataRead?()
        }
    }

    func close() {
        onDataRead = nil
        reader?.close()
    }
}
