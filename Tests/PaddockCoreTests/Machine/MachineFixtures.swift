import HTTP1
import Testing
import UV
@testable import PaddockCore

/// Building blocks for the state-machine tables: plans, servers, and a driver that checks each
/// step's action.
enum Fixture {
    /// Each timeout differs, so a test notices the wrong one being armed.
    static let settings = DownstreamMachine.Settings(clientIdle: 60_000, clientHeader: 10_000, clientBody: 45_000,
                                                     clientSend: 50_000, linger: 2_000)
    static let server = ServerRef(id: ServerID(raw: 0), endpoint: .ip(host: "127.0.0.1", port: 8001))
    static let other = ServerRef(id: ServerID(raw: 1), endpoint: .ip(host: "127.0.0.1", port: 8002))

    static func pool(sync: Bool, retries: Int = 2) -> PoolSettings {
        PoolSettings(name: sync ? "web" : "api", isSync: sync, reusesConnections: !sync,
                     connect: 1_000, response: 30_000, upstreamIdle: 20_000, queue: 5_000, tunnelIdle: 3_600_000, retries: retries)
    }

    static func plan(_ method: Method = .get, sync: Bool = false, body: Bool = false, buffered: Bool? = nil,
                     keepAlive: Bool = true, expectsContinue: Bool = false, upgrade: Bool = false,
                     retries: Int = 2) -> RequestPlan {
        RequestPlan(method: method, clientVersion: .http1_1, keepAlive: keepAlive, hasBody: body,
                    bufferBody: body && (buffered ?? sync), expectsContinue: expectsContinue,
                    isUpgrade: upgrade, pool: pool(sync: sync, retries: retries))
    }

    static func machine() -> DownstreamMachine { DownstreamMachine(settings: settings, now: 0) }
}

/// One row of a table: at loop time `at`, `event` goes in and `expect` must come out.
struct Step {
    var at: UInt64 = 0
    var event: DownstreamEvent
    var expect: DownstreamAction

    init(_ event: DownstreamEvent, at: UInt64 = 0, _ expect: DownstreamAction = .none) {
        self.event = event
        self.at = at
        self.expect = expect
    }

    init(_ event: DownstreamEvent, at: UInt64 = 0, upstream: UpstreamStep = .none, client: ClientStep = .none,
         failure: ProxyFailure? = nil) {
        self.init(event, at: at, DownstreamAction(upstream: upstream, client: client, failure: failure))
    }
}

extension DownstreamMachine {
    /// Runs the steps in order, recording a test issue (with the step's index) for each mismatch.
    mutating func run(_ steps: [Step], sourceLocation: SourceLocation = #_sourceLocation) {
        for (index, step) in steps.enumerated() {
            let action = handle(step.event, now: step.at)
            #expect(action == step.expect, "step \(index): \(step.event)", sourceLocation: sourceLocation)
        }
    }
}

/// The usual opening: a GET dispatched to `Fixture.server` and connected (fresh or reused).
func connectedGET(_ machine: inout DownstreamMachine, plan: RequestPlan = Fixture.plan(), reused: Bool = false) {
    machine.run([
        Step(.requestHead(plan), upstream: .dispatch(excluding: []),
             client: plan.hasBody ? .startBody(sendContinue: plan.expectsContinue) : .none),
        Step(.dispatched(.server(Fixture.server)), upstream: .connect(Fixture.server, reuseIdle: plan.pool.reusesConnections)),
        Step(.upstreamConnected(reused: reused), upstream: .send),
        Step(.requestSent),
    ])
}
