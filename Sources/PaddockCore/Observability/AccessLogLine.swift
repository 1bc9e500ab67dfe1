#if canImport(Glibc)
import Glibc
#endif
import PaddockConfig

/// One access-log line for a finished request. Pure: the time and the record go in, the bytes out.
///
/// Fields: time, client, method, target, status, bytes (of the response body), pool, upstream
/// address, queue ms, upstream ms (request sent to response head), total ms, request id; combined
/// also has the protocol, Referer and User-Agent, as Apache and nginx write them.
enum AccessLogLine {
    static func render(_ record: RequestRecord, totalMilliseconds: UInt64, format: AccessLogConfig.Format) -> [UInt8] {
        switch format {
        case .json: Array(json(record, total: totalMilliseconds).utf8)
        case .combined: Array(combined(record, total: totalMilliseconds).utf8)
        }
    }

    static func json(_ record: RequestRecord, total: UInt64) -> String {
        var out = "{\"time\":\"\(iso8601(record.wallClockSeconds))\",\"client\":\(quoted(record.client))"
        out += ",\"method\":\(quoted(record.method)),\"target\":\(quoted(record.target))"
        out += ",\"status\":\(record.loggedStatus),\"bytes\":\(record.bodyBytes)"
        out += ",\"pool\":\(record.pool.map(quoted) ?? "null"),\"upstream\":\(record.upstream.map { quoted("\($0)") } ?? "null")"
        out += ",\"queue_ms\":\(record.queueMilliseconds.map(String.init) ?? "null")"
        out += ",\"upstream_ms\":\(record.upstreamMilliseconds.map(String.init) ?? "null")"
        out += ",\"total_ms\":\(total),\"retries\":\(record.retries)"
        out += ",\"request_id\":\(record.requestID.map(quoted) ?? "null")}\n"
        return out
    }

    static func combined(_ record: RequestRecord, total: UInt64) -> String {
        let request = "\(record.method) \(record.target) \(record.version)"
        var out = "\(record.client) - - [\(commonLogTime(record.wallClockSeconds))] \(quoted(request)) "
        out += "\(record.loggedStatus) \(record.bodyBytes) \(quoted(record.referer ?? "-")) \(quoted(record.userAgent ?? "-"))"
        out += " pool=\(record.pool ?? "-") upstream=\(record.upstream.map { "\($0)" } ?? "-")"
        out += " queue_ms=\(record.queueMilliseconds.map(String.init) ?? "-")"
        out += " upstream_ms=\(record.upstreamMilliseconds.map(String.init) ?? "-")"
        out += " total_ms=\(total) retries=\(record.retries) request_id=\(record.requestID ?? "-")\n"
        return out
    }

    /// A JSON string literal; bytes outside printable ASCII are escaped, so a line is always one line.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value > 0x7E:
                if scalar.value <= 0xFFFF {
                    out += escaped(scalar.value)
                } else {
                    let offset = scalar.value - 0x10000  // a surrogate pair
                    out += escaped(0xD800 + (offset >> 10)) + escaped(0xDC00 + (offset & 0x3FF))
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func escaped(_ unit: UInt32) -> String {
        let hex = String(unit, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// `2026-12-04T19:42:47.123Z`
    static func iso8601(_ seconds: Double) -> String {
        let parts = brokenDown(seconds)
        let millis = Int((seconds - seconds.rounded(.down)) * 1000)
        return "\(parts.year)-\(pad(parts.month))-\(pad(parts.day))T\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second)).\(pad(millis, 3))Z"
    }

    /// `04/Dec/2026:19:42:47 +0000`
    static func commonLogTime(_ seconds: Double) -> String {
        let parts = brokenDown(seconds)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(pad(parts.day))/\(months[parts.month - 1])/\(parts.year):\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second)) +0000"
    }

    private static func brokenDown(_ seconds: Double) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        return (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    private static func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// Seconds since the epoch, now.
    static func wallClock() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
