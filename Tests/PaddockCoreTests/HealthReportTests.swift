import PaddockConfig
import Testing
@testable import PaddockCore

@Suite struct HealthReportTests {
    private func report(_ pools: [[Bool]]) -> HealthReport {
        HealthReport(pools: pools.enumerated().map { index, states in
            HealthReport.Pool(name: "p\(index)", kind: .async, servers: states.enumerated().map {
                HealthReport.Server(address: "127.0.0.1:\(8000 + $0.offset)", isUp: $0.element, inFlight: 0, workers: 1)
            })
        })
    }

    @Test(arguments: [
        ([[true, true], [true]], HealthReport.Status.ok, 200),
        ([[true, false], [true]], .degraded, 200),
        ([[false, false], [true]], .down, 503),
        ([[false]], .down, 503),
    ])
    func statusFollowsServerStates(pools: [[Bool]], status: HealthReport.Status, httpStatus: Int) {
        let report = report(pools)
        #expect(report.status == status)
        #expect(report.httpStatus == httpStatus)
    }

    @Test func jsonHasTheDocumentedShape() {
        let report = HealthReport(pools: [
            HealthReport.Pool(name: "api", kind: .async, queued: 2, servers: [
                HealthReport.Server(address: "127.0.0.1:8002", isUp: true, inFlight: 3, workers: 1,
                                    lastCheck: .init(status: 200, error: nil, latencyMilliseconds: 4), secondsSinceChange: 12),
                HealthReport.Server(address: "unix:/run/api.sock", isUp: false, inFlight: 0, workers: 1,
                                    lastCheck: .init(status: nil, error: "connect: ECONNREFUSED", latencyMilliseconds: 0),
                                    secondsSinceChange: 3),
                HealthReport.Server(address: "127.0.0.1:8003", isUp: true, inFlight: 0, workers: 1),
            ]),
        ])
        #expect(report.json == """
            {"status": "degraded", "pools": [{"name": "api", "kind": "async", "queued": 2, "servers": [\
            {"address": "127.0.0.1:8002", "state": "up", "in_flight": 3, "workers": 1, "since_change_s": 12, \
            "last_check": {"ok": true, "latency_ms": 4, "status": 200}}, \
            {"address": "unix:/run/api.sock", "state": "down", "in_flight": 0, "workers": 1, "since_change_s": 3, \
            "last_check": {"ok": false, "latency_ms": 0, "error": "connect: ECONNREFUSED"}}, \
            {"address": "127.0.0.1:8003", "state": "up", "in_flight": 0, "workers": 1, "since_change_s": 0, "last_check": null}]}]}

            """)
    }

    @Test func addressesAreEscapedAsJSONStrings() {
        let report = HealthReport(pools: [HealthReport.Pool(name: "p", kind: .sync, servers: [
            HealthReport.Server(address: "unix:/tmp/a\"b\\c", isUp: true, inFlight: 0, workers: 2),
        ])])
        #expect(report.json.contains(#""address": "unix:/tmp/a\"b\\c""#))
    }

    @Test func theStatusTableLinesUpOneRowPerServer() {
        let report = HealthReport(pools: [
            HealthReport.Pool(name: "api", kind: .async, queued: 0, servers: [
                HealthReport.Server(address: "127.0.0.1:8002", isUp: true, inFlight: 3, workers: 1, secondsSinceChange: 3_720),
                HealthReport.Server(address: "unix:/run/api.sock", isUp: false, inFlight: 0, workers: 1, secondsSinceChange: 42),
            ]),
            HealthReport.Pool(name: "web", kind: .sync, queued: 7, servers: [
                HealthReport.Server(address: "127.0.0.1:8001", isUp: true, inFlight: 4, workers: 4,
                                    lastCheck: ServerHealth.CheckResult(status: 200, error: nil, latencyMilliseconds: 2),
                                    secondsSinceChange: 200_000),
            ]),
        ])
        #expect(report.table == """
            status: degraded
            POOL  KIND   QUEUED  SERVER              STATE  IN FLIGHT  WORKERS  SINCE  LAST CHECK
            api   async  0       127.0.0.1:8002      up     3          -        1h2m   -
                                 unix:/run/api.sock  down   0          -        42s    -
            web   sync   7       127.0.0.1:8001      up     4          4        2d7h   ok 2ms (200)

            """)
    }
}
