import HTTP1
import Testing
import UV
@testable import PaddockCore

@Suite struct RetryAndFailureTests {
    static let closedEarly = LocalResponse(status: 502, message: "the server closed the connection without answering")

    @Test func anIdempotentRequestOnAStaleConnectionIsRetriedOnceOnAFreshOne() {
        var machine = Fixture.machine()
        connectedGET(&machine, reused: true)
        machine.run([
            Step(.upstreamEnded(nil, sawResponseBytes: false), at: 5, upstream: .retryFresh(Fixture.server)),
            Step(.upstreamConnected(reused: false), upstream: .send),
            Step(.requestSent),
        ])
        #expect(machine.exchange?.staleRetryUsed == true)
        // A fresh connection that closes too is the server's fault: the request moves on to
        // another server, and the stale-connection retry is not made a second time.
        machine.run([
            Step(.upstreamEnded(nil, sawResponseBytes: false),
                 upstream: .retryElsewhere(failed: Fixture.server, reason: .closedEarly(nil), excluding: [Fixture.server.id])),
            Step(.dispatched(.server(Fixture.other)), upstream: .connect(Fixture.other, reuseIdle: true)),
            Step(.upstreamConnected(reused: true), upstream: .send),
            Step(.upstreamEnded(nil, sawResponseBytes: false),
                 upstream: .retryElsewhere(failed: Fixture.other, reason: .closedEarly(nil),
                                           excluding: [Fixture.server.id, Fixture.other.id])),
        ])
    }

    @Test func anIdempotentRequestAServerResetGoesToAnotherServerWithinRetries() {
        var machine = Fixture.machine()
        let reset = UVError(-104)
        connectedGET(&machine, plan: Fixture.plan(retries: 1), reused: false)
        machine.run([
            Step(.upstreamEnded(reset, sawResponseBytes: false),
                 upstream: .retryElsewhere(failed: Fixture.server, reason: .closedEarly(reset), excluding: [Fixture.server.id])),
            Step(.dispatched(.server(Fixture.other)), upstream: .connect(Fixture.other, reuseIdle: true)),
            Step(.upstreamConnected(reused: false), upstream: .send),
            // The one retry is spent: the second reset is a 502.
            Step(.upstreamEnded(reset, sawResponseBytes: false), upstream: .release(Fixture.other, reusable: false),
                 client: .answer(Self.closedEarly, close: true), failure: .upstreamClosedEarly(reset)),
        ])
    }

    @Test(arguments: [
        (Method.post, false, false),   // a POST may have been processed
        (Method.post, false, true),
        (Method.get, true, false),     // response bytes arrived: the server saw the request
        (Method.get, true, true),
    ])
    func noRetryWhenRepeatingIsNotSafe(method: Method, sawBytes: Bool, fresh: Bool) {
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Fixture.plan(method), reused: !fresh)
        machine.run([
            Step(.upstreamEnded(nil, sawResponseBytes: sawBytes), upstream: .release(Fixture.server, reusable: false),
                 client: .answer(Self.closedEarly, close: true), failure: .upstreamClosedEarly(nil)),
        ])
    }

    @Test func aStreamedBodyCannotBeReplayed() {
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Fixture.plan(.put, body: true), reused: true)
        machine.run([
            Step(.upstreamEnded(nil, sawResponseBytes: false), upstream: .release(Fixture.server, reusable: false),
                 client: .answer(Self.closedEarly, close: true), failure: .upstreamClosedEarly(nil)),
        ])
    }

    static let unreachable = LocalResponse(status: 502, message: "no server in pool \"api\" could be reached")

    @Test func aFailedConnectMovesOnThenWaitsForAServerThenAnswers502() {
        var machine = Fixture.machine()
        let refused = UVError(-111)
        let interval = DownstreamMachine.serverRetryInterval
        let queue = Fixture.pool(sync: false).queue
        machine.run([
            Step(.requestHead(Fixture.plan()), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.server(Fixture.server)), upstream: .connect(Fixture.server, reuseIdle: true)),
            Step(.upstreamConnectFailed(refused),
                 upstream: .retryElsewhere(failed: Fixture.server, reason: .connectFailed(refused), excluding: [Fixture.server.id])),
            Step(.dispatched(.server(Fixture.other)), upstream: .connect(Fixture.other, reuseIdle: true)),
            // A connect that hangs is bounded by its own deadline.
            Step(.deadlineExpired(.connect), upstream: .retryElsewhere(
                failed: Fixture.other, reason: .connectFailed(.timedOut), excluding: [Fixture.server.id, Fixture.other.id])),
            // Every server failed: nothing was sent, so the request waits for one to come back.
            Step(.dispatched(.exhausted), at: 1_000),
        ])
        #expect(machine.deadlines.armed == [.serverRetry])
        #expect(machine.deadlines.time(.serverRetry) == 1_000 + interval)
        // It looks again from scratch, every server included.
        machine.run([
            Step(.deadlineExpired(.serverRetry), at: 1_000 + interval, upstream: .dispatch(excluding: [])),
            Step(.dispatched(.exhausted), at: 1_000 + interval),
        ])
        #expect(machine.deadlines.time(.serverRetry) == 1_000 + 2 * interval)
        // The last look is at queue_timeout after the wait began; then 502.
        machine.run([
            Step(.dispatched(.exhausted), at: 1_000 + queue - 10),
        ])
        #expect(machine.deadlines.time(.serverRetry) == 1_000 + queue)
        machine.run([
            Step(.deadlineExpired(.serverRetry), at: 1_000 + queue, client: .answer(Self.unreachable, close: true),
                 failure: .noServerReachable(pool: "api")),
        ])
    }

    @Test func aServerBackWhileWaitingTakesTheRequest() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan()), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.exhausted)),
            Step(.deadlineExpired(.serverRetry), at: 200, upstream: .dispatch(excluding: [])),
            Step(.dispatched(.server(Fixture.server)), at: 200, upstream: .connect(Fixture.server, reuseIdle: true)),
            Step(.upstreamConnected(reused: false), at: 201, upstream: .send),
        ])
        #expect(machine.deadlines.armed == [.upstreamResponse])
    }

    @Test func connectRetriesStopAtTheBudgetThenTheRequestWaits() {
        var machine = Fixture.machine()
        let refused = UVError(-111)
        machine.run([
            Step(.requestHead(Fixture.plan(retries: 0)), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.server(Fixture.server)), upstream: .connect(Fixture.server, reuseIdle: true)),
            Step(.upstreamConnectFailed(refused), upstream: .drop(failed: Fixture.server, reason: .connectFailed(refused))),
        ])
        #expect(machine.exchange?.upstream == .unassigned)
        #expect(machine.deadlines.armed == [.serverRetry])
    }

    @Test func aClientLeavingWhileWaitingForAServerEndsQuietly() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan()), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.exhausted)),
            Step(.downstreamFailed, client: .close),
        ])
        #expect(machine.isClosed)
        #expect(machine.deadlines.armed.isEmpty)
    }

    @Test func aResponseThatStartsAndThenFailsIsAReset() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.responseHead(serverKeepAlive: true, untilClose: false), client: .startResponse(keepAlive: true)),
            Step(.upstreamEnded(nil, sawResponseBytes: true), upstream: .release(Fixture.server, reusable: false),
                 client: .abort, failure: .upstreamAborted),
        ])
        #expect(machine.isClosed)
        #expect(machine.deadlines.armed.isEmpty)
    }

    @Test func anInvalidResponseHeadGets502() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.failed(.badResponse("bare LF")), upstream: .release(Fixture.server, reusable: false),
                 client: .answer(LocalResponse(status: 502, message: "the server sent an invalid response"), close: true),
                 failure: .badResponse("bare LF")),
        ])
    }

    @Test func noResponseHeadInTimeGets504() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.deadlineExpired(.upstreamResponse), upstream: .release(Fixture.server, reusable: false),
                 client: .answer(LocalResponse(status: 504, message: "the server did not answer in time"), close: true),
                 failure: .upstreamTimeout),
        ])
    }

    @Test func aForwarded1xxMeansNoRetry() {
        var machine = Fixture.machine()
        connectedGET(&machine, reused: true)
        machine.run([
            Step(.informationalForwarded, upstream: .readResponse),
            Step(.upstreamEnded(nil, sawResponseBytes: false), upstream: .release(Fixture.server, reusable: false),
                 client: .answer(Self.closedEarly, close: true), failure: .upstreamClosedEarly(nil)),
        ])
    }
}
