/// The result of one `BodyDecoder.decode` call.
///
/// Invariants: `data` lies within `0..<consumed`; `consumed <= input.count`.
public struct BodyDecodeStep: Sendable, Equatable {
    /// Bytes of input consumed (framing + data). The caller drops them; the rest must be
    /// presented again (they are the next chunk's data, or the next message once `finished`).
    public var consumed: Int
    /// Body data within `input[0..<consumed]`; empty if none in this step.
    public var data: Range<Int>
    /// The message body is complete; bytes after `consumed` belong to the next message.
    public var finished: Bool

    public init(consumed: Int, data: Range<Int>, finished: Bool) {
        self.consumed = consumed
        self.data = data
        self.finished = finished
    }
}
