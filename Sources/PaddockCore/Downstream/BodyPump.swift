import HTTP1
import UV

/// Where one pass of `BodyDecoder.pump` stopped.
enum BodyPumpStop: Equatable {
    /// The body ended; what follows it in the input is left for the next message.
    case finished
    /// The input holds no more of the body.
    case needMore
    /// `deliver` asked to stop (backpressure, a limit, a failed write).
    case paused
}

extension BodyDecoder {
    /// Decodes the body bytes in `source`'s input, in place, and hands each decoded piece to
    /// `deliver`, consuming the input as it goes, until the body ends, the input runs out, or
    /// `deliver` returns false. The one loop for both directions: the request body (to the server
    /// or the spill) and the response body (to the client or the buffered output).
    mutating func pump(from source: any Transport,
                       deliver: (UnsafeRawBufferPointer) -> Bool) throws(HTTPParseError) -> BodyPumpStop {
        while true {
            let input = source.readable
            let step = try decode(input)
            let keepGoing = step.data.isEmpty || deliver(UnsafeRawBufferPointer(rebasing: input[step.data]))
            source.consume(step.consumed)
            if step.finished { return .finished }
            if !keepGoing { return .paused }
            if step.consumed == 0 && step.data.isEmpty { return .needMore }
        }
    }
}
