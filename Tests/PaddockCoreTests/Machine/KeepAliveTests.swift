import HTTP1
import Testing
@testable import PaddockCore

@Suite struct KeepAliveAndPipeliningTests {
    @Test func aGETGoesRoundAndTheConnectionIsKept() {
        var machine = Fixture.machine()
        #expect(machine.deadlines.armed == [.clientIdle])
        machine.run([Step(.readable, client: .readHead), Step(.headStarted, at: 5)])
        #expect(machine.deadlines.armed == [.clientHeader])
        connectedGET(&machine)
        #expect(machine.deadlines.armed == [.upstreamResponse])
        machine.run([
            Step(.upstreamReadable, upstream: .readResponse),
            Step(.responseHead(serverKeepAlive: true, untilClose: false), client: .startResponse(keepAlive: true)),
            Step(.responseComplete(reusable: true, delivered: true), at: 40,
                 upstream: .release(Fixture.server, reusable: true), client: .nextRequest),
        ])
        #expect(machine.state == .idle)
        #expect(machine.deadlines.time(.clientIdle) == 40 + Fixture.settings.clientIdle)
        #expect(machine.deadlines.armed == [.clientIdle])
    }

    @Test func pipelinedBytesWaitWhileARequestIsAnswered() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.readable, client: .holdInput),
            Step(.responseHead(serverKeepAlive: true, untilClose: false), client: .startResponse(keepAlive: true)),
            Step(.readable, client: .holdInput),
            Step(.responseComplete(reusable: true, delivered: true), upstream: .release(Fixture.server, reusable: true),
                 client: .nextRequest),
            // The next request is parsed only now, so responses go out in order.
            Step(.requestHead(Fixture.plan()), upstream: .dispatch(excluding: [])),
        ])
    }

    @Test func aClientThatAsksToCloseIsClosedAfterItsResponse() {
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Fixture.plan(keepAlive: false))
        machine.run([
            Step(.responseHead(serverKeepAlive: true, untilClose: false), client: .startResponse(keepAlive: false)),
            Step(.responseComplete(reusable: true, delivered: true), upstream: .release(Fixture.server, reusable: true),
                 client: .closeAfterFlush),
        ])
        #expect(machine.state == .closing)
        #expect(machine.deadlines.armed == [.flush])
        machine.run([Step(.downstreamShutDown, at: 10)])
        #expect(machine.deadlines.armed == [.flush, .linger])
        machine.run([Step(.deadlineExpired(.linger), client: .close)])
        #expect(machine.isClosed)
        #expect(machine.deadlines.armed.isEmpty)
    }

    @Test func aCloseDelimitedResponseEndsTheConnection() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.responseHead(serverKeepAlive: false, untilClose: true), client: .startResponse(keepAlive: false)),
            Step(.responseComplete(reusable: false, delivered: true), upstream: .release(Fixture.server, reusable: false),
                 client: .closeAfterFlush),
        ])
    }

    @Test func aRequestTheProxyAnswersItselfKeepsTheConnection() {
        var machine = Fixture.machine()
        let notFound = LocalResponse(status: 404, message: "no route")
        machine.run([
            Step(.localAnswer(notFound, mustClose: false), at: 3, client: .answer(notFound, close: false)),
        ])
        #expect(machine.state == .idle)
        machine.run([Step(.localAnswer(notFound, mustClose: true), client: .answer(notFound, close: true))])
        #expect(machine.state == .closing)
    }

    @Test func aGracefulStopClosesAfterTheCurrentResponse() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.shutdown),
            Step(.responseHead(serverKeepAlive: true, untilClose: false), client: .startResponse(keepAlive: false)),
            Step(.responseComplete(reusable: true, delivered: true), upstream: .release(Fixture.server, reusable: true),
                 client: .closeAfterFlush),
        ])
        var idle = Fixture.machine()
        idle.run([Step(.shutdown, client: .close)])
        #expect(idle.isClosed)
    }
}
