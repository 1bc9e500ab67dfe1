/// The life of one upstream connection, as a value. Each state has at most one deadline, and the
/// state says what it means, so a new meaning can never silently replace an old one.
///
/// - `connecting` → `active` (carrying a request; events go to its owner)
/// - `active` → `idle` (parked in the loop's cache; `upstreamIdle` closes it) → `active` again
/// - `active` → `draining` (the client gave up on a request a sync worker runs: read and discard
///   until the server closes, or `upstreamResponse`; then the slot goes back)
/// - `active` → `lingering` (a tunnel ended: flush, half-close, close after `linger`)
/// - any → `closed`
struct UpstreamMachine: Equatable, Sendable {
    enum State: Equatable, Sendable {
        case connecting
        case active
        case idle
        case draining
        case lingering
        case closed
    }

    enum Event: Equatable, Sendable {
        case connected
        case attached
        case parked
        case abandoned
        case endGracefully
        case readable
        /// EOF, a failure, or the state's deadline.
        case ended
        case deadlineExpired
        case close
    }

    enum Action: Equatable, Sendable {
        case none
        /// Hand the event to the owner.
        case toOwner
        case discardInput
        /// Leave the idle cache and close.
        case forgetAndClose
        /// The abandoned request is done: give its slot back, then close.
        case finishDrain
        case close
    }

    private(set) var state: State = .connecting
    /// How many requests this connection has carried; a reused one may have been closed by the
    /// server while idle, which is what makes a retry safe.
    private(set) var requestCount = 0

    var isReused: Bool { requestCount > 1 }

    mutating func handle(_ event: Event) -> Action {
        switch (state, event) {
        case (.closed, _):
            return .none
        case (_, .close):
            state = .closed
            return .close
        case (.connecting, .connected):
            state = .active
            return .none
        case (.connecting, .attached), (.active, .attached), (.idle, .attached):
            state = .active
            requestCount += 1
            return .none
        case (.active, .parked):
            state = .idle
            return .none
        case (.active, .abandoned):
            state = .draining
            return .discardInput
        case (.active, .endGracefully):
            state = .lingering
            return .none
        case (.active, .readable), (.active, .ended), (.connecting, .ended):
            return .toOwner
        case (.draining, .readable), (.lingering, .readable):
            return .discardInput
        case (.idle, .readable), (.idle, .ended), (.idle, .deadlineExpired):
            // Bytes from an idle connection break the protocol; EOF or expiry ends it quietly.
            state = .closed
            return .forgetAndClose
        case (.draining, .ended), (.draining, .deadlineExpired):
            state = .closed
            return .finishDrain
        case (.lingering, .ended), (.lingering, .deadlineExpired):
            state = .closed
            return .close
        default:
            return .none
        }
    }
}
