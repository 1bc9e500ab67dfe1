import HTTP1
import Testing
@testable import PaddockCore

@Suite struct BodyTests {
    @Test func expectContinueIsAnsweredAtOnceAndTheBodyStreams() {
        var machine = Fixture.machine()
        let plan = Fixture.plan(.post, body: true, expectsContinue: true)
        machine.run([
            Step(.requestHead(plan), upstream: .dispatch(excluding: []), client: .startBody(sendContinue: true)),
            // Body bytes that arrive before the server is connected wait in the input buffer.
            Step(.readable, at: 10),
            Step(.dispatched(.server(Fixture.server)), upstream: .connect(Fixture.server, reuseIdle: true)),
            Step(.upstreamConnected(reused: false), upstream: .send),
            Step(.readable, at: 20, upstream: .pumpRequestBody),
            Step(.upstreamDrained, at: 30, upstream: .continueSending),
        ])
        #expect(machine.deadlines.time(.clientBody) == 20 + Fixture.settings.clientBody)
        #expect(machine.deadlines.time(.upstreamResponse) == 30 + Fixture.pool(sync: false).response)
        machine.run([Step(.requestBodyComplete)])
        #expect(machine.exchange?.upstream == .attached(Fixture.server, sent: true, reused: false))
        #expect(machine.exchange?.body == .received)
        #expect(!machine.deadlines.armed.contains(.clientBody))
        // Once sent, a drained upstream queue means nothing more to do.
        machine.run([Step(.upstreamDrained)])
    }

    @Test func anUploadStillArrivingAfterTheWholeResponseIsDiscardedWithoutADeadline() {
        // The server answered early and is done; a buffered response is still going to the client.
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan(.post, body: true)), upstream: .dispatch(excluding: []),
                 client: .startBody(sendContinue: false)),
            Step(.dispatched(.server(Fixture.server)), upstream: .connect(Fixture.server, reuseIdle: true)),
            Step(.upstreamConnected(reused: false), upstream: .send),
            Step(.responseHead(serverKeepAlive: true, untilClose: false), client: .startResponse(keepAlive: false)),
            Step(.responseComplete(reusable: true, delivered: false), at: 10,
                 upstream: .release(Fixture.server, reusable: false)),
        ])
        #expect(!machine.deadlines.armed.contains(.clientBody), "a slow upload must not reset a finished response")
        machine.run([Step(.readable, at: 20, client: .discardInput)])
        #expect(!machine.deadlines.armed.contains(.clientBody))
        machine.run([Step(.responseDelivered, at: 30, client: .closeAfterFlush)])
    }

    @Test func aBufferedBodyIsReadWholeBeforeAServerIsChosen() {
        var machine = Fixture.machine()
        let plan = Fixture.plan(.post, sync: true, body: true)
        machine.run([
            Step(.requestHead(plan), client: .startBody(sendContinue: false)),
            Step(.readable, client: .readBody),
            Step(.readable, client: .readBody),
            Step(.requestBodyComplete, upstream: .dispatch(excluding: [])),
            Step(.dispatched(.server(Fixture.server)), upstream: .connect(Fixture.server, reuseIdle: false)),
            Step(.upstreamConnected(reused: false), upstream: .send),
            Step(.upstreamDrained, upstream: .continueSending),
            Step(.requestSent),
            Step(.upstreamDrained),
        ])
        #expect(machine.exchange?.upstream == .attached(Fixture.server, sent: true, reused: false))
    }

    @Test func aBufferedResponseReleasesTheWorkerBeforeTheClientHasIt() {
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Fixture.plan(sync: true))
        machine.run([
            Step(.responseHead(serverKeepAlive: false, untilClose: false), client: .startResponse(keepAlive: true)),
            Step(.responseComplete(reusable: false, delivered: false), at: 50,
                 upstream: .release(Fixture.server, reusable: false)),
        ])
        #expect(machine.exchange?.response == .delivering(keepAlive: true))
        #expect(machine.deadlines.time(.clientSend) == 50 + Fixture.settings.clientSend)
        machine.run([
            Step(.downstreamDrained, at: 70, client: .deliverResponse),
            Step(.responseDelivered, client: .nextRequest),
        ])
        #expect(machine.state == .idle)
        #expect(machine.deadlines.armed == [.clientIdle])
    }

    @Test func aResponseBodyThatStopsArrivingIsCutAfterUpstreamIdle() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        let idle = Fixture.pool(sync: false).upstreamIdle
        machine.run([
            Step(.responseHead(serverKeepAlive: true, untilClose: false), at: 100, client: .startResponse(keepAlive: true)),
        ])
        #expect(machine.deadlines.time(.upstreamIdle) == 100 + idle)
        #expect(machine.deadlines.time(.upstreamResponse) == nil)
        // Every read from the server moves the deadline.
        machine.run([Step(.upstreamReadable, at: 5_000, upstream: .readResponse)])
        #expect(machine.deadlines.time(.upstreamIdle) == 5_000 + idle)
        // The client's head was sent and the body is cut: a reset, never a clean end.
        machine.run([Step(.deadlineExpired(.upstreamIdle), at: 5_000 + idle,
                          upstream: .release(Fixture.server, reusable: false), client: .abort, failure: .upstreamStalled)])
        #expect(machine.isClosed)
    }

    @Test func theWholeResponseReadEndsTheUpstreamIdleDeadline() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.responseHead(serverKeepAlive: true, untilClose: false), client: .startResponse(keepAlive: true)),
            Step(.responseComplete(reusable: true, delivered: false), at: 10, upstream: .release(Fixture.server, reusable: true)),
        ])
        #expect(machine.deadlines.armed == [.clientSend])
    }

    @Test func aStreamedResponsePausesForASlowClientAndResumes() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([
            Step(.responseHead(serverKeepAlive: true, untilClose: false), client: .startResponse(keepAlive: true)),
            Step(.responseBackedUp, at: 10),
        ])
        #expect(machine.deadlines.armed == [.clientSend])
        machine.run([Step(.downstreamDrained, upstream: .resumeResponse)])
        // Reading again: the server's gaps count from here.
        #expect(machine.deadlines.armed == [.upstreamIdle])
        machine.run([Step(.responseBackedUp, at: 20), Step(.deadlineExpired(.clientSend), at: 60_020, upstream:
            .release(Fixture.server, reusable: false), client: .abort, failure: .clientTimeout)])
        #expect(machine.isClosed)
    }

    @Test func aBodyThatFailsToDecodeGets400() {
        var machine = Fixture.machine()
        let error = HTTPParseError(status: 400, reason: "bad chunk size")
        machine.run([
            Step(.requestHead(Fixture.plan(.post, sync: true, body: true)), client: .startBody(sendContinue: false)),
            Step(.failed(.badRequestBody(error)), client: .answer(LocalResponse(status: 400, message: "bad chunk size"), close: true),
                 failure: .badRequestBody(error)),
        ])
        #expect(machine.state == .closing)
    }
}
