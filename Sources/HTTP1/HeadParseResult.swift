/// Outcome of feeding a head parser the bytes received so far.
public enum HeadParseResult<Head: Sendable>: Sendable {
    /// The head is not complete yet and nothing is wrong so far: read more and call again.
    case incomplete
    case complete(Head)
    /// The message is invalid; answer `error.status` and close the connection.
    case failure(HTTPParseError)
}

extension HeadParseResult: Equatable where Head: Equatable {}
