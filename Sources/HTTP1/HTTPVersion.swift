/// The HTTP versions this codec speaks. Anything else is rejected while parsing
/// (400 when malformed, 505 when well-formed but unsupported).
public enum HTTPVersion: Sendable, Equatable {
    case http1_0
    case http1_1
}
