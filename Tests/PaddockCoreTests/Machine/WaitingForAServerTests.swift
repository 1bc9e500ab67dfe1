import HTTP1
import Testing
import UV
@testable import PaddockCore

/// Waiting for a server to come back, and the deadlines around it that must not blame the wrong side.
@Suite struct WaitingForAServerTests {
    static let closedEarly = LocalResponse(status: 502, message: "the server closed the connection without answering")

    @Test func aRequestAServerAlreadyHadIsNotSentRoundAgain() {
        // A GET that makes its server reset: retried elsewhere within `retries`, then 502. Never a
        // wait-and-resend loop (it may be the request that crashes the worker).
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.upstreamEnded(nil, sawResponseBytes: false), upstream: .retryElsewhere(
                failed: Fixture.server, reason: .closedEarly(nil), excluding: [Fixture.server.id])),
            Step(.dispatched(.exhausted), client: .answer(Self.closedEarly, close: true), failure: .upstreamClosedEarly(nil)),
        ])
        #expect(!machine.deadlines.armed.contains(.serverRetry))
    }

    @Test func aConnectFailureAfterTheRequestReachedAServerFailsAtOnce() {
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Fixture.plan(retries: 1))
        let refused = UVError(-111)
        machine.run([
            Step(.upstreamEnded(nil, sawResponseBytes: false), upstream: .retryElsewhere(
                failed: Fixture.server, reason: .closedEarly(nil), excluding: [Fixture.server.id])),
            Step(.dispatched(.server(Fixture.other)), upstream: .connect(Fixture.other, reuseIdle: true)),
            Step(.upstreamConnectFailed(refused), upstream: .release(Fixture.other, reusable: false),
                 client: .answer(RetryAndFailureTests.unreachable, close: true), failure: .noServerReachable(pool: "api")),
        ])
    }

    @Test func aClientThatHalfClosesWhileItsRequestWaitsForAServerIsLetGo() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan()), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.exhausted)),
            Step(.downstreamReadClosed, client: .close, failure: .clientClosed),
        ])
        #expect(machine.isClosed)
    }

    @Test func aStopDoesNotWaitForAServer() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan()), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.exhausted)),
            Step(.shutdown, client: .answer(RetryAndFailureTests.unreachable, close: true), failure: .noServerReachable(pool: "api")),
        ])
    }

    @Test func aSyncQueueWaitAfterAServerWaitEndsAtOneQueueTimeoutInAll() {
        var machine = Fixture.machine()
        let queue = Fixture.pool(sync: true).queue
        machine.run([
            Step(.requestHead(Fixture.plan(sync: true)), at: 1_000, upstream: .dispatch(excluding: [])),
            Step(.dispatched(.exhausted), at: 1_000),
            Step(.deadlineExpired(.serverRetry), at: 3_000, upstream: .dispatch(excluding: [])),
            Step(.dispatched(.full), at: 3_000, upstream: .enqueue(excluding: [], deadline: 1_000 + queue)),
            Step(.enqueued(ticket: 7), at: 3_000),
        ])
        #expect(machine.deadlines.time(.queue) == 1_000 + queue)
    }

    @Test func aStreamedUploadWaitingForAServerIsNotTimedAgainstTheClient() {
        var machine = Fixture.machine()
        let plan = Fixture.plan(.post, body: true)
        machine.run([
            Step(.requestHead(plan), upstream: .dispatch(excluding: []), client: .startBody(sendContinue: false)),
            Step(.dispatched(.exhausted)),
            Step(.readable, at: 10),
        ])
        #expect(machine.deadlines.armed == [.serverRetry])
        machine.run([
            Step(.deadlineExpired(.serverRetry), at: 200, upstream: .dispatch(excluding: [])),
            Step(.dispatched(.server(Fixture.server)), at: 200, upstream: .connect(Fixture.server, reuseIdle: true)),
            Step(.upstreamConnected(reused: false), at: 250, upstream: .send),
        ])
        #expect(machine.deadlines.time(.clientBody) == 250 + Fixture.settings.clientBody)
    }

    @Test func upstreamIdleWaitsForTheWholeUploadInAFullDuplexExchange() {
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Fixture.plan(.post, body: true))
        machine.run([
            Step(.responseHead(serverKeepAlive: true, untilClose: false), at: 10, client: .startResponse(keepAlive: false)),
        ])
        #expect(machine.deadlines.time(.upstreamIdle) == nil, "timed the server while the client was still uploading")
        machine.run([Step(.requestBodyComplete, at: 500)])
        #expect(machine.deadlines.time(.upstreamIdle) == 500 + Fixture.pool(sync: false).upstreamIdle)
    }

    @Test func aClientStillTooFarBehindKeepsTheClientDeadline() {
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Fixture.plan(sync: true))
        machine.run([
            Step(.responseHead(serverKeepAlive: false, untilClose: false), client: .startResponse(keepAlive: true)),
            Step(.responseBackedUp, at: 10),
            Step(.downstreamDrained, at: 20, upstream: .resumeResponse),
            // The data plane: the buffered output is still over its limit, the server stays paused.
            Step(.responseBackedUp, at: 20),
        ])
        #expect(machine.deadlines.armed == [.clientSend])
        #expect(machine.deadlines.time(.clientSend) == 20 + Fixture.settings.clientSend)
    }

    @Test func aStalledStreamIsNotCountedAgainstTheServersHealth() {
        #expect(ProxyFailure.upstreamStalled.healthObservation == nil)
        #expect(ProxyFailure.upstreamTimeout.healthObservation == .requestFailed)
    }
}
