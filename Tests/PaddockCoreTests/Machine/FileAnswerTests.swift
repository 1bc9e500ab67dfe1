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
}
