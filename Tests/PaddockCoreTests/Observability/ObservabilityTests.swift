import PaddockConfig
import Testing
@testable import PaddockCore

@Suite struct ObservabilityTests {
    static func record() -> RequestRecord {
        var record = RequestRecord(wallClockSeconds: 1_796_413_367.25, startedAt: 1_000, client: "127.0.0.1",
                                   method: "GET", target: "/a?\"q\"", version: "HTTP/1.1", requestID: "rid-1", pool: "web")
        record.upstream = .ip(host: "127.0.0.1", port: 8001)
        record.readyAt = 1_002
        record.gotServerAt = 1_010
        record.sentAt = 1_011
        record.responseHeadAt = 1_041
        record.status = 200
        record.bodyBytes = 5
        record.userAgent = "curl/8"
        return record
    }

    @Test func jsonLineHasEveryFieldAndEscapes() {
        let line = String(decoding: AccessLogLine.render(Self.record(), totalMilliseconds: 45, format: .json), as: UTF8.self)
        #expect(line == #"{"time":"2026-12-04T19:42:47.250Z","client":"127.0.0.1","method":"GET","target":"/a?\"q\"","#
            + #""status":200,"bytes":5,"pool":"web","upstream":"127.0.0.1:8001","queue_ms":8,"upstream_ms":30,"#
            + #""total_ms":45,"retries":0,"request_id":"rid-1"}"# + "\n")
    }

    @Test func combinedLineIsApacheCombinedPlusOurFields() {
        var record = Self.record()
        record.status = nil  // the client left before any answer
        record.responseHeadAt = nil
        let line = String(decoding: AccessLogLine.render(record, totalMilliseconds: 45, format: .combined), as: UTF8.self)
        #expect(line == #"127.0.0.1 - - [04/Dec/2026:19:42:47 +0000] "GET /a?\"q\" HTTP/1.1" 499 5 "-" "curl/8""#
            + " pool=web upstream=127.0.0.1:8001 queue_ms=8 upstream_ms=- total_ms=45 retries=0 request_id=rid-1\n")
    }

    @Test func controlAndNonASCIIBytesNeverBreakALine() {
        #expect(AccessLogLine.quoted("a\nb\u{7F}é😀") == #""a\u000ab\u007f\u00e9\ud83d\ude00""#)
    }

    @Test func metricsCountByStatusClassAndRenderHistograms() {
        let metrics = ProxyMetrics()
        metrics.record(Self.record())
        var failed = Self.record()
        failed.status = 504
        failed.retries = 2
        metrics.record(failed)
        metrics.healthChanged(pool: "web", server: .ip(host: "127.0.0.1", port: 8001), up: false)
        let health = HealthReport(pools: [HealthReport.Pool(name: "web", kind: .sync, queued: 3, servers: [
            HealthReport.Server(address: "127.0.0.1:8001", isUp: false, inFlight: 2, workers: 4),
        ])])
        let text = MetricsText.render(metrics, MetricsText.Gauges(health: health, generation: 7,
                                                                  downstreamConnections: 5, upstreamConnections: 2,
                                                                  accessLogDroppedBytes: 9))
        for line in [
            #"paddock_requests_total{pool="web",status_class="2xx"} 1"#,
            #"paddock_requests_total{pool="web",status_class="5xx"} 1"#,
            #"paddock_retries_total{pool="web"} 2"#,
            #"paddock_queue_depth{pool="web"} 3"#,
            #"paddock_requests_in_flight{pool="web"} 2"#,
            #"paddock_server_up{pool="web",server="127.0.0.1:8001"} 0"#,
            #"paddock_health_transitions_total{pool="web",server="127.0.0.1:8001",to="down"} 1"#,
            #"paddock_queue_wait_seconds_bucket{pool="web",le="0.005"} 0"#,
            #"paddock_queue_wait_seconds_bucket{pool="web",le="0.01"} 2"#,
            #"paddock_queue_wait_seconds_bucket{pool="web",le="+Inf"} 2"#,
            #"paddock_queue_wait_seconds_count{pool="web"} 2"#,
            #"paddock_upstream_response_seconds_bucket{pool="web",server="127.0.0.1:8001",le="0.05"} 2"#,
            "paddock_downstream_connections 5",
            "paddock_upstream_connections 2",
            "paddock_config_generation 7",
            "paddock_access_log_dropped_bytes_total 9",
        ] {
            #expect(text.contains(line + "\n"), "missing: \(line)")
        }
        #expect(MetricsText.labels(["server": "unix:/a\"b\\c"]) == #"server="unix:/a\"b\\c""#)
    }
}
