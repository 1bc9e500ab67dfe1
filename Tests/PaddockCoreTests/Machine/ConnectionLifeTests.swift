import HTTP1
import Testing
@testable import PaddockCore

@Suite struct ClientTimeoutTests {
    @Test func anIdleConnectionClosesQuietly() {
        var machine = Fixture.machine()
        machine.run([Step(.deadlineExpired(.clientIdle), at: 60_000, client: .close)])
        #expect(machine.isClosed)
    }

    @Test func aSlowHeadGets408() {
        var machine = Fixture.machine()
        machine.run([
            Step(.readable, client: .readHead),
            Step(.headStarted, at: 10),
            Step(.deadlineExpired(.clientHeader), at: 60_010,
                 client: .answer(LocalResponse(status: 408, message: "the request did not arrive in time"), close: true),
                 failure: .clientTimeout),
            Step(.readable, client: .discardInput),
        ])
    }

    @Test func aForcedCloseMidResponseIsAReset() {
        // The grace period of a stop ran out while a response was streaming: a FIN could make a
        // close-delimited body look complete.
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.responseHead(serverKeepAlive: true, untilClose: true), client: .startResponse(keepAlive: false)),
            Step(.forceClose, upstream: .release(Fixture.server, reusable: false), client: .abort),
        ])
        #expect(machine.isClosed)
    }

    @Test func aClosedMachineIgnoresEverything() {
        var machine = Fixture.machine()
        machine.run([Step(.downstreamFailed, client: .close), Step(.readable), Step(.deadlineExpired(.clientIdle))])
    }
}

@Suite struct HalfCloseTests {
    @Test func aHalfClosedClientGetsItsResponseThenTheConnectionCloses() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.downstreamReadClosed),
            Step(.responseHead(serverKeepAlive: true, untilClose: false), client: .startResponse(keepAlive: false)),
            Step(.responseComplete(reusable: true, delivered: true), upstream: .release(Fixture.server, reusable: true),
                 client: .closeAfterFlush),
            // Nothing to linger for: the client already sent its EOF.
            Step(.downstreamShutDown, client: .close),
        ])
    }

    @Test func aHalfCloseAfterTheResponseHeadStillClosesAfterIt() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.responseHead(serverKeepAlive: true, untilClose: false), client: .startResponse(keepAlive: true)),
            Step(.downstreamReadClosed),
            Step(.responseComplete(reusable: true, delivered: true), upstream: .release(Fixture.server, reusable: true),
                 client: .closeAfterFlush),
        ])
    }

    @Test func aHalfCloseMidBodyLetsTheBufferedRestDecide() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan(.post, sync: true, body: true)), client: .startBody(sendContinue: false)),
            // The pump reads what is buffered; if the body is incomplete it reports `clientClosed`.
            Step(.downstreamReadClosed, client: .readBody),
            Step(.requestBodyComplete, upstream: .dispatch(excluding: [])),
        ])
        var streamed = Fixture.machine()
        streamed.run([
            Step(.requestHead(Fixture.plan(.post, body: true)), upstream: .dispatch(excluding: []),
                 client: .startBody(sendContinue: false)),
            Step(.dispatched(.server(Fixture.server)), upstream: .connect(Fixture.server, reuseIdle: true)),
            // Not connected yet: the body waits in the input buffer, and the pump decides later.
            Step(.downstreamReadClosed),
            Step(.upstreamConnected(reused: false), upstream: .send),
            Step(.failed(.clientClosed), upstream: .release(Fixture.server, reusable: false), client: .close,
                 failure: .clientClosed),
        ])
    }

    @Test func anEOFWhileQueuedLeavesTheQueue() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan(sync: true)), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.full), upstream: .enqueue(excluding: [], deadline: 5_000)),
            Step(.enqueued(ticket: 2)),
            Step(.downstreamReadClosed, upstream: .leaveQueue(ticket: 2), client: .close, failure: .clientClosed),
        ])
    }

    @Test func aHalfCloseBeforeACompleteHeadCloses() {
        var machine = Fixture.machine()
        machine.run([Step(.headStarted), Step(.downstreamReadClosed, client: .close)])
    }

    @Test func aRejectedRequestFromAHalfClosedClientIsAnswered() {
        var machine = Fixture.machine()
        let error = HTTPParseError(status: 400, reason: "bad request line")
        machine.run([
            Step(.failed(.badRequest(error)), client: .answer(LocalResponse(status: 400, message: "bad request line"), close: true),
                 failure: .badRequest(error)),
            Step(.downstreamReadClosed, client: .close),
        ])
    }
}

@Suite struct TunnelTests {
    static let upgrade = Fixture.plan(upgrade: true)

    @Test func a101JoinsBothSidesUntilOneCloses() {
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Self.upgrade)
        machine.run([
            Step(.switchingProtocols, at: 10, client: .startTunnel),
            Step(.tunnelActivity, at: 20),
            Step(.readable, client: .relayFromClient),
            Step(.upstreamReadable, upstream: .relayFromServer),
            Step(.downstreamDrained, upstream: .resumeServerRelay),
            Step(.upstreamDrained, client: .resumeClientRelay),
        ])
        #expect(machine.deadlines.armed == [.tunnelIdle])
        #expect(machine.deadlines.time(.tunnelIdle) == 20 + Fixture.pool(sync: false).tunnelIdle)
        machine.run([Step(.upstreamEnded(nil, sawResponseBytes: false), upstream: .endTunnel(Fixture.server),
                          client: .closeAfterFlush)])
        #expect(machine.state == .closing)
    }

    @Test func anIdleTunnelCloses() {
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Self.upgrade)
        machine.run([
            Step(.switchingProtocols, client: .startTunnel),
            Step(.deadlineExpired(.tunnelIdle), upstream: .release(Fixture.server, reusable: false), client: .close),
        ])
    }

    @Test func a101WithoutAnUpgradeRequestIs502() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        let reason = "101 Switching Protocols without an upgrade request"
        machine.run([
            Step(.switchingProtocols, upstream: .release(Fixture.server, reusable: false),
                 client: .answer(LocalResponse(status: 502, message: "the server sent an invalid response"), close: true),
                 failure: .badResponse(reason)),
        ])
    }
}

@Suite struct DeadlinesTests {
    @Test func eachKindHasItsOwnSlot() {
        var deadlines = Deadlines()
        deadlines.set(.clientBody, at: 300)
        deadlines.set(.queue, at: 100)
        #expect(deadlines.earliest == 100)
        deadlines.set(.clientBody, at: 50)  // re-arming one kind never touches another
        #expect(deadlines.time(.queue) == 100)
        #expect(deadlines.takeExpired(now: 99) == .clientBody)
        #expect(deadlines.takeExpired(now: 99) == nil)
        #expect(deadlines.takeExpired(now: 100) == .queue)
        #expect(deadlines.earliest == nil)
    }
}
