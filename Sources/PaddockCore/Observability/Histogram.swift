/// A Prometheus histogram in seconds with fixed buckets: cumulative counts, sum and count.
struct Histogram: Sendable {
    /// Upper bounds, in seconds: from a fast keep-alive request to a slow report.
    static let bounds: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    private(set) var counts = [UInt64](repeating: 0, count: Histogram.bounds.count)
    private(set) var sum: Double = 0
    private(set) var count: UInt64 = 0

    mutating func observe(milliseconds: UInt64) {
        let seconds = Double(milliseconds) / 1000
        sum += seconds
        count += 1
        if let index = Self.bounds.firstIndex(where: { seconds <= $0 }) { counts[index] += 1 }
    }

    /// `name_bucket{labels,le="..."}` lines (cumulative), then `_sum` and `_count`.
    func render(_ name: String, labels: String, into out: inout String) {
        var cumulative: UInt64 = 0
        let prefix = labels.isEmpty ? "" : labels + ","
        for (bound, count) in zip(Self.bounds, counts) {
            cumulative += count
            out += "\(name)_bucket{\(prefix)le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(count)\n"
        out += "\(name)_sum{\(labels)} \(sum)\n"
        out += "\(name)_count{\(labels)} \(count)\n"
    }
}
