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
        // A fresh connection that closes too is the server's fault: 502, no second retry.
        machine.run([
            Step(.upstreamEnded(nil, sawResponseBytes: false), upstream: .release(Fixture.server, reusable: false),
                 client: .answer(Self.closedEarly, close: true), failure: .upstreamClosedEarly(nil)),
        ])
    }

    @Test(arguments: [
        (Method.post, false, false),   // a POST may have been processed
        (Method.get, true, false),     // response bytes arrived: the server saw the request
        (Method.get, false, true),     // not a kept-alive connection: nothing stale about it
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

    @Test func aFailedConnectMovesOnThenAnswers502() {
        var machine = Fixture.machine()
        let refused = UVError(-111)
        machine.run([
            Step(.requestHead(Fixture.plan()), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.server(Fixture.server)), upstream: .connect(Fixture.server, reuseIdle: true)),
            Step(.upstreamConnectFailed(refused),
                 upstream: .retryElsewhere(failed: Fixture.server, error: refused, excluding: [Fixture.server.id])),
            Step(.dispatched(.server(Fixture.other)), upstream: .connect(Fixture.other, reuseIdle: true)),
            // A connect that hangs is bounded by its own deadline.
            Step(.deadlineExpired(.connect), upstream: .retryElsewhere(
                failed: Fixture.other, error: .timedOut, excluding: [Fixture.server.id, Fixture.other.id])),
            Step(.dispatched(.exhausted),
                 client: .answer(LocalResponse(status: 502, message: "no server in pool \"api\" could be reached"), close: true),
                 failure: .noServerReachable(pool: "api")),
        ])
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
