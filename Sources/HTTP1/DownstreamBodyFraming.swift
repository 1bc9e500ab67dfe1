/// How a response body is framed toward the client (chosen by the proxy).
public enum DownstreamBodyFraming: Sendable, Equatable {
    /// No body. No framing field is written (see `ResponseSerializer.writeHead`).
    case none
    case contentLength(UInt64)
    /// Only for HTTP/1.1 clients; HTTP/1.0 clients cannot decode chunked (use `.untilClose`).
    case chunked
    /// Body delimited by closing the connection; forces "Connection: close".
    case untilClose
}
