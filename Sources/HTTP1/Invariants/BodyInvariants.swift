/// Decoding checks shared by the request and response invariants.
///
/// A body is decoded twice, in one piece and split at `CutPoints`, the way a connection feeds a
/// decoder: append each read to a pending buffer, decode, keep `data`, drop `consumed`, repeat.
/// Every step must keep the `BodyDecoder` contract, and both runs must give the same result.
enum BodyInvariants {
    struct Outcome: Equatable {
        var body: [UInt8] = []
        var finished = false
        /// Bytes left after the body ended (the next message).
        var leftover = 0
        var error: HTTPParseError?
    }

    /// Decodes `input` with fresh decoders from `make`, checks both runs agree, then checks the
    /// end-of-input behaviour. Returns the one-piece outcome.
    @discardableResult
    static func check(_ input: UnsafeRawBufferPointer, _ make: () -> BodyDecoder) throws(InvariantViolation) -> Outcome {
        var whole = make()
        let oneShot = try run(input, cuts: [], decoder: &whole)
        var pieces = make()
        let split = try run(input, cuts: CutPoints.of(input), decoder: &pieces)
        if oneShot.error == nil {
            try ensure(split == oneShot, "split decoding \(split) differs from one-shot \(oneShot)")
        } else {
            // Data decoded in the same call as an error is not returned, so how much body came
            // before the error depends on the splits; the error itself must not.
            try ensure(split.error == oneShot.error, "split decoding \(split) differs from one-shot \(oneShot)")
        }
        try ensure(oneShot.body.count <= input.count, "decoded more bytes than the input holds")
        try ensure(oneShot.error == nil || oneShot.error?.status == 400, "decoder error is not 400: \(String(describing: oneShot.error))")
        try ensure(oneShot.error != nil || oneShot.finished == whole.isFinished, "isFinished disagrees with the last step")
        guard oneShot.error == nil else { return oneShot }
        // End of input: an unfinished Content-Length or chunked body must fail; a finished one not.
        let eofError: HTTPParseError?
        do throws(HTTPParseError) {
            try whole.finishAtEOF()
            eofError = nil
        } catch {
            eofError = error
        }
        if let eofError {
            try ensure(!oneShot.finished, "finishAtEOF failed on a finished body: \(eofError)")
            try ensure(eofError.status == 400, "finishAtEOF error is not 400")
        } else {
            try ensure(whole.isFinished, "finishAtEOF accepted an unfinished body")
        }
        return oneShot
    }

    /// `check` for a chunked body, plus agreement with `ReferenceChunked` on where the body ends,
    /// what it holds and whether it is invalid.
    static func checkChunked(_ input: UnsafeRawBufferPointer, limits: HTTPLimits) throws(InvariantViolation) {
        let outcome = try check(input) { BodyDecoder.chunked(limits: limits) }
        let reference = ReferenceChunked.decode(input, limits: limits)
        let agrees = switch reference {
        case .complete(let body, let consumed):
            outcome.finished && outcome.body == body && outcome.leftover == input.count - consumed
        case .incomplete: !outcome.finished && outcome.error == nil
        case .invalid: outcome.error != nil
        case .undecided: !outcome.finished
        }
        try ensure(agrees, "chunked decoding \(outcome) disagrees with the reference reading \(reference)")
    }

    private static func run(_ input: UnsafeRawBufferPointer, cuts: [Int], decoder: inout BodyDecoder) throws(InvariantViolation) -> Outcome {
        var outcome = Outcome()
        var pending: [UInt8] = []
        var start = 0
        for end in cuts + [input.count] {
            pending += input[start..<end]
            start = end
            while true {
                let result: Result<BodyDecodeStep, HTTPParseError> = pending.withUnsafeBytes { buffer in
                    do throws(HTTPParseError) { return .success(try decoder.decode(buffer)) } catch { return .failure(error) }
                }
                let step: BodyDecodeStep
                switch result {
                case .success(let s): step = s
                case .failure(let error):
                    outcome.error = error
                    return outcome
                }
                try checkStep(step, inputCount: pending.count)
                outcome.body += pending[step.data]
                pending.removeFirst(step.consumed)
                if step.finished {
                    try ensure(decoder.isFinished, "step finished but decoder is not")
                    outcome.finished = true
                    outcome.leftover = pending.count + (input.count - start)
                    return outcome
                }
                if step.consumed == 0 { break }
            }
        }
        return outcome
    }

    /// The per-step contract documented on `BodyDecodeStep` and `BodyDecoder.decode`.
    private static func checkStep(_ step: BodyDecodeStep, inputCount: Int) throws(InvariantViolation) {
        try ensure(step.consumed >= 0 && step.consumed <= inputCount,
                   "consumed \(step.consumed) outside 0...\(inputCount)")
        try ensure(step.data.isEmpty || (step.data.lowerBound >= 0 && step.data.upperBound <= step.consumed),
                   "data \(step.data) outside consumed bytes 0..<\(step.consumed)")
        if step.consumed == 0 && step.data.isEmpty && !step.finished {
            try ensure(inputCount == 0, "decoder stalled with \(inputCount) bytes pending")
        }
        if !step.finished && step.consumed < inputCount {
            try ensure(!step.data.isEmpty, "decoder stopped early without returning data")
        }
    }
}
