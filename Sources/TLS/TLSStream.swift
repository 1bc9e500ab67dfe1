import COpenSSL
import UV

/// A server-side TLS connection over another `Transport` (a `Socket`): libuv moves the bytes,
/// OpenSSL only transforms them, through two memory BIOs. To the core it is just a Transport: it
/// never knows whether a stream is encrypted.
///
/// - Ciphertext read from the socket goes into the read BIO; the handshake runs, then `SSL_read`
///   fills a plaintext input buffer that `readable` shows.
/// - Plaintext written before the handshake is done waits; after, `SSL_write` turns it into
///   records in the write BIO, which are written to the socket at once.
/// - A delegate method is never called from inside a call the delegate made: work that a call
///   like `consume` or `startReading` makes possible runs on a later loop turn.
public final class TLSStream: Transport, TransportDelegate {
    private let inner: any Transport
    private let loop: EventLoop
    private let context: TLSContext  // kept alive for its SSL_CTXs and the SNI callback
    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    public weak var delegate: TransportDelegate?

    private let capacity: Int
    private var plain: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var wantsReading = false
    private var handshakeDone = false
    /// Plaintext written before the handshake finished.
    private var early: [UInt8] = []
    private var peerFinished = false
    private var reportedEOF = false
    private var dead = false
    private var pumpScheduled = false
    /// Shut down before the handshake finished: it is not run any further.
    private var closing = false
    private var sentCloseNotify = false
    /// Where records are copied from the write BIO to the socket (which copies what it cannot write
    /// at once), made once per connection.
    private var records = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    /// Why a handshake failed, for a debug log line (garbage, plain HTTP, an old client).
    public var onHandshakeFailure: ((String) -> Void)?

    /// nil when OpenSSL cannot make a connection object (out of memory).
    public init?(inner: any Transport, loop: EventLoop, context: TLSContext, maxInputBytes: Int = 128 * 1024) {
        guard let ssl = context.makeSSL() else { return nil }
        self.inner = inner
        self.loop = loop
        self.context = context
        self.ssl = ssl
        readBIO = BIO_new(BIO_s_mem())
        writeBIO = BIO_new(BIO_s_mem())
        SSL_set_bio(ssl, readBIO, writeBIO)  // the SSL owns both BIOs from here
        SSL_set_accept_state(ssl)
        capacity = maxInputBytes
        plain = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        inner.delegate = self
    }

    deinit {
        SSL_free(ssl)
        plain.deallocate()
        records.deallocate()
    }

    /// The protocol ALPN chose ("http/1.1"), if any.
    public var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    // MARK: Transport

    public var readable: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: plain[start..<end]) }
    public var isInputFull: Bool { end - start >= capacity }

    public func consume(_ count: Int) {
        start += count
        if start == end { start = 0; end = 0 }
        scheduleAdvance()
    }

    public var isReading: Bool { wantsReading }

    public func startReading() {
        wantsReading = true
        inner.startReading()
        scheduleAdvance()
    }

    public func stopReading() {
        wantsReading = false
        inner.stopReading()
    }

    public func releaseInputMemory() {
        guard start == end, plain.baseAddress != nil else { return }
        plain.deallocate()
        plain = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        inner.releaseInputMemory()
    }

    public func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
        guard !dead else { return }
        guard handshakeDone else {
            early += first
            early += second
            return
        }
        encrypt(first)
        encrypt(second)
        flushOut()
    }

    public var writeQueueBytes: Int { inner.writeQueueBytes + early.count + Int(BIO_ctrl_pending(writeBIO)) }

    public func shutdown(_ completion: @escaping (UVError?) -> Void) {
        sendCloseNotify()
        if !handshakeDone {
            // Nothing written before the handshake can go out now, and none should be run later.
            early.removeAll()
            closing = true
        }
        inner.shutdown(completion)
    }

    public func close() {
        sendCloseNotify()
        dead = true
        delegate = nil
        inner.close()
    }

    /// Our close_notify, so the peer sees a clean TLS end rather than an unexpected EOF.
    private func sendCloseNotify() {
        guard handshakeDone, !dead, !sentCloseNotify else { return }
        sentCloseNotify = true
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
        flushOut()
    }

    public func abort() {
        dead = true
        delegate = nil
        inner.abort()
    }

    public var peerIP: String? { inner.peerIP }

    // MARK: The socket's events

    public func transportDidRead() { advance() }

    /// Ciphertext the read BIO may hold at once: a couple of records. The rest stays in the socket's
    /// input buffer, so that when the core stops taking plaintext the socket fills and pauses
    /// itself, as a plain connection does: a client cannot make us hold an upload in memory.
    private static let ciphertextBudget = 34 * 1024

    /// Moves ciphertext from the socket into the read BIO, within the budget.
    private func pullCiphertext() {
        while true {
            let input = inner.readable
            let room = Self.ciphertextBudget - Int(BIO_ctrl_pending(readBIO))
            guard !input.isEmpty, room > 0 else { return }
            let count = min(input.count, room)
            _ = BIO_write(readBIO, input.baseAddress, Int32(count))
            inner.consume(count)
        }
    }

    public func transportDidReachEOF() {
        peerFinished = true
        advance()
    }

    public func transportDidFail(_ error: UVError) {
        guard !dead else { return }
        dead = true
        delegate?.transportDidFail(error)
    }

    public func transportDidDrain() {
        if early.isEmpty && BIO_ctrl_pending(writeBIO) == 0 { delegate?.transportDidDrain() }
    }

    // MARK: The engine

    private func scheduleAdvance() {
        guard !pumpScheduled, !dead else { return }
        pumpScheduled = true
        loop.runSoon { [weak self] in
            guard let self else { return }
            self.pumpScheduled = false
            self.advance()
        }
    }

    /// Runs the handshake, then decrypts what it can; tells the delegate of new plaintext or the end.
    private func advance() {
        guard !dead, !closing else { return }
        pullCiphertext()
        ERR_clear_error()  // SSL_get_error reads the queue: it must hold only this call's errors
        if !handshakeDone {
            let rc = SSL_do_handshake(ssl)
            flushOut()
            if rc == 1 {
                handshakeDone = true
                if !early.isEmpty {
                    let pending = early
                    early = []
                    pending.withUnsafeBytes { encrypt($0) }
                    flushOut()
                }
            } else {
                let error = SSL_get_error(ssl, rc)
                if error == SSL_ERROR_WANT_READ && !peerFinished { return }
                return fail(peerFinished ? "the client left during the handshake" : "handshake failed: \(TLSContext.lastError())")
            }
        }
        var got = false
        while wantsReading && end - start < capacity {
            if plain.baseAddress == nil { plain = .allocate(byteCount: capacity, alignment: 16) }
            if end == capacity, start > 0 {
                plain.baseAddress!.copyMemory(from: plain.baseAddress! + start, byteCount: end - start)
                end -= start
                start = 0
            }
            let count = SSL_read(ssl, plain.baseAddress! + end, Int32(capacity - end))
            if count > 0 {
                end += Int(count)
                got = true
                pullCiphertext()
                continue
            }
            let error = SSL_get_error(ssl, count)
            if error == SSL_ERROR_WANT_READ { break }
            if error == SSL_ERROR_ZERO_RETURN {  // close_notify
                peerFinished = true
                break
            }
            return fail("read failed: \(TLSContext.lastError())")
        }
        flushOut()  // a read may answer (TLS 1.3 tickets, key updates)
        if got { delegate?.transportDidRead() }
        // The end is told once everything before it was read (and nothing is left to decrypt).
        if peerFinished && !reportedEOF && !dead && inner.readable.isEmpty && BIO_ctrl_pending(readBIO) == 0
            && SSL_pending(ssl) == 0 {
            reportedEOF = true
            delegate?.transportDidReachEOF()
        }
    }

    private func encrypt(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        ERR_clear_error()
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, 1 << 30)
            let written = SSL_write(ssl, base + offset, Int32(chunk))
            guard written > 0 else {
                let reason = "write failed: \(TLSContext.lastError())"
                loop.runSoon { [weak self] in self?.fail(reason) }
                return
            }
            offset += Int(written)
        }
    }

    /// Moves the records OpenSSL produced to the socket.
    private func flushOut() {
        while BIO_ctrl_pending(writeBIO) > 0 {
            if records.baseAddress == nil { records = .allocate(byteCount: 64 << 10, alignment: 16) }
            let count = BIO_read(writeBIO, records.baseAddress, Int32(records.count))
            guard count > 0 else { break }
            inner.write(UnsafeRawBufferPointer(rebasing: records[0..<Int(count)]))
        }
    }

    private func fail(_ reason: String) {
        guard !dead else { return }
        if !handshakeDone { onHandshakeFailure?(reason) }
        dead = true
        ERR_clear_error()
        delegate?.transportDidFail(UVError(-71))  // EPROTO
    }
}
