import Testing
@testable import PaddockCore

/// The upstream connection's life as events in, actions out.
@Suite struct UpstreamMachineTests {
    typealias Step = (event: UpstreamMachine.Event, action: UpstreamMachine.Action, state: UpstreamMachine.State)

    private func run(_ steps: [Step], sourceLocation: SourceLocation = #_sourceLocation) -> UpstreamMachine {
        var machine = UpstreamMachine()
        for (index, step) in steps.enumerated() {
            let action = machine.handle(step.event)
            #expect(action == step.action, "step \(index) (\(step.event))", sourceLocation: sourceLocation)
            #expect(machine.state == step.state, "step \(index) (\(step.event))", sourceLocation: sourceLocation)
        }
        return machine
    }

    @Test func aKeptAliveConnectionCarriesRequestsAndCountsReuse() {
        let machine = run([
            (.connected, .none, .active),
            (.attached, .none, .active),
            (.readable, .toOwner, .active),
            (.parked, .none, .idle),
            (.attached, .none, .active),
        ])
        #expect(machine.isReused, "the second request on it may meet a close the server sent while it idled")
    }

    @Test func aFreshConnectionIsNotReused() {
        let machine = run([(.connected, .none, .active), (.attached, .none, .active)])
        #expect(!machine.isReused)
    }

    @Test(arguments: [UpstreamMachine.Event.readable, .ended, .deadlineExpired])
    func anIdleConnectionEndsQuietlyOnAnything(event: UpstreamMachine.Event) {
        // Bytes from an idle server break the protocol; EOF and expiry are the normal ends.
        _ = run([(.connected, .none, .active), (.attached, .none, .active), (.parked, .none, .idle),
                 (event, .forgetAndClose, .closed)])
    }

    @Test func anAbandonedRequestDrainsUntilTheWorkerCloses() {
        _ = run([
            (.connected, .none, .active), (.attached, .none, .active),
            (.abandoned, .discardInput, .draining),
            (.readable, .discardInput, .draining),
            (.ended, .finishDrain, .closed),
            (.readable, .none, .closed),
        ])
    }

    @Test func aDrainThatOutlivesTheResponseTimeoutStillGivesTheSlotBack() {
        _ = run([(.connected, .none, .active), (.attached, .none, .active), (.abandoned, .discardInput, .draining),
                 (.deadlineExpired, .finishDrain, .closed)])
    }

    @Test func aFinishedTunnelLingersThenCloses() {
        _ = run([
            (.connected, .none, .active), (.attached, .none, .active),
            (.endGracefully, .none, .lingering),
            (.readable, .discardInput, .lingering),
            (.deadlineExpired, .close, .closed),
        ])
    }

    @Test func endsWhileCarryingARequestGoToTheOwner() {
        _ = run([(.ended, .toOwner, .connecting)])
        _ = run([(.connected, .none, .active), (.ended, .toOwner, .active)])
    }

    @Test func closeWinsFromEveryStateAndIsFinal() {
        for prefix: [Step] in [
            [],
            [(.connected, .none, .active)],
            [(.connected, .none, .active), (.attached, .none, .active), (.parked, .none, .idle)],
            [(.connected, .none, .active), (.abandoned, .discardInput, .draining)],
            [(.connected, .none, .active), (.endGracefully, .none, .lingering)],
        ] {
            _ = run(prefix + [(.close, .close, .closed), (.close, .none, .closed), (.attached, .none, .closed)])
        }
    }
}
