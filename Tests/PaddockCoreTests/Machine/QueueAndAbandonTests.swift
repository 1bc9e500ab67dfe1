import HTTP1
import Testing
@testable import PaddockCore

@Suite struct QueueAndAbandonTests {
    static let queueTimeout = LocalResponse(status: 503, message: "no worker in pool \"web\" became free in time",
                                            retryAfterSeconds: 1)

    @Test func aRequestWaitsForAFreeWorkerThenTimesOutWith503() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan(sync: true)), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.full), at: 100, upstream: .enqueue(excluding: [], deadline: 5_100)),
            Step(.enqueued(ticket: 7), at: 100),
        ])
        #expect(machine.deadlines.time(.queue) == 5_100)
        machine.run([
            Step(.deadlineExpired(.queue), at: 5_100, upstream: .leaveQueue(ticket: 7),
                 client: .answer(Self.queueTimeout, close: true), failure: .queueTimeout(pool: "web")),
        ])
    }

    @Test func aFullQueueGets503AtOnce() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan(sync: true)), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.full), upstream: .enqueue(excluding: [], deadline: 5_000)),
            Step(.enqueued(ticket: nil), client: .answer(LocalResponse(
                status: 503, message: "every worker in pool \"web\" is busy and its queue is full", retryAfterSeconds: 1),
                close: true), failure: .queueFull(pool: "web")),
        ])
    }

    @Test func aGrantedSlotEndsTheWait() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan(sync: true)), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.full), upstream: .enqueue(excluding: [], deadline: 5_000)),
            Step(.enqueued(ticket: 3)),
            // A grant for another ticket is not ours: give it back.
            Step(.slotGranted(PoolState.Grant(ticket: 4, server: Fixture.other)), upstream: .returnSlot(Fixture.other)),
            Step(.slotGranted(PoolState.Grant(ticket: 3, server: Fixture.server)),
                 upstream: .connect(Fixture.server, reuseIdle: false)),
        ])
        #expect(!machine.deadlines.armed.contains(.queue))
        #expect(machine.deadlines.armed.contains(.connect))
    }

    @Test func aClientThatGivesUpWhileQueuedLeavesTheQueue() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan(sync: true)), upstream: .dispatch(excluding: [])),
            Step(.dispatched(.full), upstream: .enqueue(excluding: [], deadline: 5_000)),
            Step(.enqueued(ticket: 9)),
            Step(.downstreamFailed, upstream: .leaveQueue(ticket: 9), client: .close),
        ])
        #expect(machine.isClosed)
    }

    @Test func aSyncWorkerKeepsItsSlotUntilItIsDoneWhenTheClientGivesUp() {
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Fixture.plan(sync: true))
        machine.run([Step(.downstreamFailed, upstream: .abandon(Fixture.server), client: .close)])
    }

    @Test func aLateResponseKeepsTheSyncWorkersSlotUntilTheWorkerIsDone() {
        // 504 for the client, but the worker is still running the request: the next request must
        // not be sent to it, so the slot stays taken while the late response is drained.
        var machine = Fixture.machine()
        connectedGET(&machine, plan: Fixture.plan(sync: true))
        machine.run([
            Step(.deadlineExpired(.upstreamResponse), upstream: .abandon(Fixture.server),
                 client: .answer(LocalResponse(status: 504, message: "the server did not answer in time"), close: true),
                 failure: .upstreamTimeout),
        ])
    }

    @Test func aClientGoneMidUploadFreesTheSlotAtOnce() {
        // The worker never got the whole request, so it is not busy with it.
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan(.post, sync: true, body: true, buffered: false)),
                 upstream: .dispatch(excluding: []), client: .startBody(sendContinue: false)),
            Step(.dispatched(.server(Fixture.server)), upstream: .connect(Fixture.server, reuseIdle: false)),
            Step(.upstreamConnected(reused: false), upstream: .send),
            Step(.failed(.clientClosed), upstream: .release(Fixture.server, reusable: false), client: .close,
                 failure: .clientClosed),
        ])
    }

    @Test func anAsyncServerIsReleasedAtOnceWhenTheClientGivesUp() {
        var machine = Fixture.machine()
        connectedGET(&machine)
        machine.run([Step(.downstreamFailed, upstream: .release(Fixture.server, reusable: false), client: .close)])
    }

    @Test func aStalledClientBodyGets408() {
        var machine = Fixture.machine()
        machine.run([
            Step(.requestHead(Fixture.plan(.post, sync: true, body: true)), client: .startBody(sendContinue: false)),
            Step(.deadlineExpired(.clientBody),
                 client: .answer(LocalResponse(status: 408, message: "the request did not arrive in time"), close: true),
                 failure: .clientTimeout),
        ])
    }
}
