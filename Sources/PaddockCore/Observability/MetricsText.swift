/// Renders `/metrics` in the Prometheus text exposition format (version 0.0.4). Pure.
struct MetricsText {
    /// What is read at scrape time.
    struct Gauges {
        var health: HealthReport
        var generation: UInt64
        var downstreamConnections: Int
        var upstreamConnections: Int
        var accessLogDroppedBytes: UInt64 = 0
    }

    static func render(_ metrics: ProxyMetrics, _ gauges: Gauges) -> String {
        var out = ""
        family(&out, "paddock_requests_total", "counter", "Requests answered, by pool and status class (499: the client left first).")
        for (key, value) in metrics.requests.sorted(by: { ($0.key.pool, $0.key.statusClass) < ($1.key.pool, $1.key.statusClass) }) {
            out += "paddock_requests_total{\(labels(["pool": key.pool, "status_class": "\(key.statusClass)xx"]))} \(value)\n"
        }
        family(&out, "paddock_requests_in_flight", "gauge", "Requests holding a server slot, by pool.")
        for pool in gauges.health.pools {
            out += "paddock_requests_in_flight{\(labels(["pool": pool.name]))} \(pool.servers.reduce(0) { $0 + $1.inFlight })\n"
        }
        family(&out, "paddock_queue_depth", "gauge", "Requests waiting for a free sync worker, by pool.")
        for pool in gauges.health.pools {
            out += "paddock_queue_depth{\(labels(["pool": pool.name]))} \(pool.queued)\n"
        }
        family(&out, "paddock_queue_wait_seconds", "histogram", "From a request being ready for a server to getting one.")
        for (pool, histogram) in metrics.queueWait.sorted(by: { $0.key < $1.key }) {
            histogram.render("paddock_queue_wait_seconds", labels: labels(["pool": pool]), into: &out)
        }
        family(&out, "paddock_upstream_response_seconds", "histogram", "From the request going to a server to its response head.")
        for (key, histogram) in metrics.upstreamLatency.sorted(by: { $0.key < $1.key }) {
            histogram.render("paddock_upstream_response_seconds", labels: labels(["pool": key.pool, "server": "\(key.server)"]), into: &out)
        }
        family(&out, "paddock_retries_total", "counter", "Requests sent again, to another server or on a fresh connection.")
        for (pool, value) in metrics.retries.sorted(by: { $0.key < $1.key }) {
            out += "paddock_retries_total{\(labels(["pool": pool]))} \(value)\n"
        }
        family(&out, "paddock_server_up", "gauge", "1 when the server is up, 0 when it is down.")
        for pool in gauges.health.pools {
            for server in pool.servers {
                out += "paddock_server_up{\(labels(["pool": pool.name, "server": server.address]))} \(server.isUp ? 1 : 0)\n"
            }
        }
        family(&out, "paddock_server_in_flight", "gauge", "Requests in flight on each server.")
        for pool in gauges.health.pools {
            for server in pool.servers {
                out += "paddock_server_in_flight{\(labels(["pool": pool.name, "server": server.address]))} \(server.inFlight)\n"
            }
        }
        family(&out, "paddock_health_transitions_total", "counter", "Servers going down or coming up.")
        for (key, value) in metrics.transitions.sorted(by: { $0.key < $1.key }) {
            out += "paddock_health_transitions_total{\(labels(["pool": key.server.pool, "server": "\(key.server.server)", "to": key.to]))} \(value)\n"
        }
        family(&out, "paddock_downstream_connections", "gauge", "Open client connections.")
        out += "paddock_downstream_connections \(gauges.downstreamConnections)\n"
        family(&out, "paddock_downstream_connections_accepted_total", "counter", "Client connections accepted.")
        out += "paddock_downstream_connections_accepted_total \(metrics.accepted)\n"
        family(&out, "paddock_upstream_connections", "gauge", "Open connections to servers, idle kept-alive ones included.")
        out += "paddock_upstream_connections \(gauges.upstreamConnections)\n"
        family(&out, "paddock_access_log_dropped_bytes_total", "counter", "Access-log bytes dropped because the log fell behind.")
        out += "paddock_access_log_dropped_bytes_total \(gauges.accessLogDroppedBytes)\n"
        family(&out, "paddock_config_generation", "gauge", "The config generation in use (1 at start, one more per reload).")
        out += "paddock_config_generation \(gauges.generation)\n"
        return out
    }

    private static func family(_ out: inout String, _ name: String, _ type: String, _ help: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    /// `a="x",b="y"` in key order, values escaped as the format requires.
    static func labels(_ pairs: [String: String]) -> String {
        pairs.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" }.joined(separator: ",")
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
