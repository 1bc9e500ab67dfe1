import Testing
@testable import PaddockCore

/// `sendingFile`: a static route's answer, paced by the client.
@Suite struct FileAnswerTests {
    @Test func aFileGoesOutAtTheClientsPaceThenTheConnectionIsKept() {
        var machine = Fixture.machine()
        machine.run([
            Step(.headStarted, at: 5),
            Step(.fileAnswer(mustClose: false), at: 10, client: .deliverFile),
        ])
        #expect(machine.deadlines.armed == [.clientSend])
        machine.run([
            Step(.fileDataRead, at: 20, client: .deliverFile),
            Step(.downstreamDrained, at: 30, client: .deliverFile),
            Step(.readable, at: 31, client: .holdInput),  // a pipelined request waits its turn
        ])
        #expect(machine.deadlines.time(.clientSend) == 30 + Fixture.settings.clientSend)
        machine.run([Step(.responseDelivered, at: 40, client: .nextRequest)])
        #expect(machine.state == .idle && machine.deadlines.armed == [.clientIdle])
    }

    @Test func aClientThatStopsReadingIsResetNotAnsweredAgain() {
        var machine = Fixture.machine()
        machine.run([
            Step(.fileAnswer(mustClose: false), client: .deliverFile),
            Step(.deadlineExpired(.clientSend), at: 50_000, client: .abort, failure: .clientTimeout),
        ])
        #expect(machine.isClosed)
    }

    @Test func mustCloseClosesAfterTheFileAndHalfCloseWaitsForIt() {
        var machine = Fixture.machine()
        machine.run([
            Step(.fileAnswer(mustClose: true), client: .deliverFile),
            Step(.downstreamReadClosed),
            Step(.responseDelivered, client: .closeAfterFlush),
        ])
        #expect(machine.state == .closing)
    }

    @Test func aFailedReadMidwayResets() {
        var machine = Fixture.machine()
        machine.run([
            Step(.fileAnswer(mustClose: false), client: .deliverFile),
            Step(.failed(.staticFileFailed(.endOfFile)), client: .abort, failure: .staticFileFailed(.endOfFile)),
        ])
        #expect(machine.isClosed)
    }

    @Test func aStopLetsTheFileFinishThenCloses() {
        var machine = Fixture.machine()
        machine.run([
            Step(.fileAnswer(mustClose: false), client: .deliverFile),
            Step(.shutdown),
            Step(.responseDelivered, client: .closeAfterFlush),
        ])
    }

    @Test func aTLSConnectionThatNeverSendsAByteIsClosedQuietly() {
        var machine = DownstreamMachine(settings: Fixture.settings, now: 0, handshake: true)
        #expect(machine.deadlines.armed == [.clientHeader])
        machine.run([Step(.deadlineExpired(.clientHeader), at: Fixture.settings.clientHeader, client: .close)])
        #expect(machine.isClosed)
        // One that started a request and stalled gets its 408.
        var stalled = DownstreamMachine(settings: Fixture.settings, now: 0, handshake: true)
        stalled.run([
            Step(.readable, client: .readHead),
            Step(.deadlineExpired(.clientHeader), at: Fixture.settings.clientHeader,
                 client: .answer(LocalResponse(status: 408, message: "the request did not arrive in time"), close: true),
                 failure: .clientTimeout),
        ])
    }
}
