import HTTP1
import Logging
import UV

/// Everything that can end an exchange early, mapped to one outcome each in `response`.
enum ProxyFailure: Equatable, Sendable, CustomStringConvertible {
    case badRequest(HTTPParseError)
    case badRequestBody(HTTPParseError)
    case bodyTooLarge
    case clientTimeout
    case clientClosed
    case noServerReachable(pool: String)
    case queueFull(pool: String)
    case queueTimeout(pool: String)
    case bufferFailed(SpillError)
    /// Reading a static route's file failed midway.
    case staticFileFailed(UVError)
    case upstreamTimeout
    /// The response body stopped arriving for `upstream_idle`.
    case upstreamStalled
    case upstreamClosedEarly(UVError?)
    case upstreamAborted
    case badResponse(String)

    /// The answer to send, if the client can still be answered; nil means close the connection.
    var response: LocalResponse? {
        switch self {
        case let .badRequest(error), let .badRequestBody(error):
            LocalResponse(status: error.status, message: error.reason)
        case .bodyTooLarge:
            LocalResponse(status: 413, message: "request body larger than max_body_bytes")
        case .clientTimeout:
            LocalResponse(status: 408, message: "the request did not arrive in time")
        case .clientClosed, .upstreamAborted:
            nil
        case let .noServerReachable(pool):
            LocalResponse(status: 502, message: "no server in pool \"\(pool)\" could be reached")
        case let .queueFull(pool):
            LocalResponse(status: 503, message: "every worker in pool \"\(pool)\" is busy and its queue is full", retryAfterSeconds: 1)
        case let .queueTimeout(pool):
            LocalResponse(status: 503, message: "no worker in pool \"\(pool)\" became free in time", retryAfterSeconds: 1)
        case .bufferFailed:
            LocalResponse(status: 500, message: "the proxy could not buffer this message")
        case .staticFileFailed:
            LocalResponse(status: 500, message: "the file could not be read")
        case .upstreamTimeout, .upstreamStalled:
            LocalResponse(status: 504, message: "the server did not answer in time")
        case .upstreamClosedEarly:
            LocalResponse(status: 502, message: "the server closed the connection without answering")
        case .badResponse:
            LocalResponse(status: 502, message: "the server sent an invalid response")
        }
    }

    /// The server may still be working on the request: the client went away or stalled, or the
    /// server is late with its response.
    var leavesWorkerBusy: Bool {
        switch self {
        case .clientTimeout, .clientClosed, .upstreamTimeout, .upstreamStalled: true
        default: false
        }
    }

    /// How the failure counts against the health of the server the request was on, if it does
    /// (passive checks): the server failed the request before any response.
    var healthObservation: ServerHealth.Observation? {
        switch self {
        // A stalled body is not counted: a quiet stream (SSE, a long poll) looks just like it.
        case .upstreamTimeout, .upstreamClosedEarly: .requestFailed
        case .noServerReachable: .connectFailed
        default: nil
        }
    }

    var logLevel: Logger.Level {
        switch self {
        case .badRequest, .badRequestBody, .bodyTooLarge, .clientTimeout, .clientClosed: .debug
        case .queueFull, .queueTimeout: .notice
        case .noServerReachable, .upstreamTimeout, .upstreamStalled, .bufferFailed, .staticFileFailed, .upstreamClosedEarly, .upstreamAborted, .badResponse: .warning
        }
    }

    var description: String {
        switch self {
        case let .badRequest(error): "bad request: \(error)"
        case let .badRequestBody(error): "bad request body: \(error)"
        case .bodyTooLarge: "request body larger than max_body_bytes"
        case .clientTimeout: "client timed out"
        case .clientClosed: "client closed the connection mid-request"
        case let .noServerReachable(pool): "no server in pool \(pool) could be reached"
        case let .queueFull(pool): "queue of pool \(pool) is full (max_queue)"
        case let .queueTimeout(pool): "request waited longer than queue_timeout in pool \(pool)"
        case let .bufferFailed(error): "buffering failed: \(error)"
        case let .staticFileFailed(error): "reading a static file failed: \(error)"
        case .upstreamTimeout: "server did not answer within upstream_response"
        case .upstreamStalled: "server sent nothing for upstream_idle in the middle of the response body"
        case let .upstreamClosedEarly(error): "server closed the connection before answering\(error.map { " (\($0))" } ?? "")"
        case .upstreamAborted: "server connection ended in the middle of the response body"
        case let .badResponse(reason): "invalid response from server: \(reason)"
        }
    }
}
