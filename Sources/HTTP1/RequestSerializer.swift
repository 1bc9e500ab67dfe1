/// Writes a request head toward the upstream, always as HTTP/1.1.
public enum RequestSerializer {
    /// Writes, in order:
    /// 1. "METHOD target HTTP/1.1\r\n" (an absolute-form target as its path+query, "/" if the
    ///    path is empty);
    /// 2. every field not hop-by-hop and not Content-Length, Transfer-Encoding or
    ///    X-Forwarded-For/Proto/Host, in received order, as "name: value\r\n". Host is kept as
    ///    the client sent it, or carries the absolute-form authority when that differs. An
    ///    HTTP/1.0 request without any host gets an empty "Host:" (RFC 9112 §3.2), since the
    ///    upstream sees HTTP/1.1, where Host is mandatory. Expect is dropped for HTTP/1.0
    ///    clients (RFC 9110 §10.1.1: a 1.0 expectation must be ignored);
    /// 3. X-Forwarded-For (incoming chain + client if `trustForwardedFor`, else the client),
    ///    X-Forwarded-Proto, X-Forwarded-Host (the host the client asked for: `head.host`, i.e.
    ///    the Host value as received, or the absolute-form authority that overrides it per
    ///    RFC 9112 §3.2.2; omitted if neither or if it is empty), then X-Request-ID if
    ///    `options.requestID` is set (the client's own X-Request-ID fields are dropped then);
    /// 4. the framing field for `options.body` (none for `.lengthAfterBuffering`);
    /// 5. "Connection: upgrade" + "Upgrade: <value>" if `options.upgrade` and the head has an
    ///    upgrade; otherwise "Connection: close" if `!options.keepAlive`;
    /// 6. "\r\n", except for `.lengthAfterBuffering`: that head stays unfinished until
    ///    `finishHead(_:contentLength:)` appends its Content-Length and the blank line.
    ///
    /// `source` must be the buffer `head` was parsed from (its ranges index into it).
    public static func writeHead(
        _ head: RequestHead, source: UnsafeRawBufferPointer, options: UpstreamRequestOptions, into out: inout [UInt8]
    ) {
        out.append(head.method, of: source)
        out.append(" ")
        if head.path.isEmpty { out.append("/") }
        out.append(head.target, of: source)
        out.append(" HTTP/1.1\r\n")

        var hostField: HeaderField?
        for field in head.fields where !field.isHopByHop {
            switch field.token {
            case .contentLength, .transferEncoding, .xForwardedFor, .xForwardedProto, .xForwardedHost:
                continue
            case .expect where head.version == .http1_0:
                continue
            case .xRequestID where options.requestID != nil:
                continue
            case .host:
                hostField = field
                out.append(field.name, of: source)
                out.append(": ")
                out.append(head.host ?? field.value, of: source)
                out.append("\r\n")
            default:
                out.append(field.name, of: source)
                out.append(": ")
                out.append(field.value, of: source)
                out.append("\r\n")
            }
        }
        if hostField == nil {
            out.append("Host: ")
            if let host = head.host { out.append(host, of: source) }
            out.append("\r\n")
        }

        out.append("X-Forwarded-For: ")
        if options.trustForwardedFor {
            for field in head.fields where field.token == .xForwardedFor && !field.isHopByHop && !field.value.isEmpty {
                out.append(field.value, of: source)
                out.append(", ")
            }
        }
        out.appendFieldText(options.clientAddress)
        out.append("\r\nX-Forwarded-Proto: ")
        out.appendFieldText(options.scheme)
        out.append("\r\n")
        if let originalHost = head.host, !originalHost.isEmpty {
            out.appendField("X-Forwarded-Host", originalHost, of: source)
        }
        if let requestID = options.requestID {
            out.appendField("X-Request-ID", text: requestID)
        }

        switch options.body {
        case .none, .lengthAfterBuffering: break
        case .contentLength(let n): out.appendContentLengthField(n)
        case .chunked: out.append("Transfer-Encoding: chunked\r\n")
        }

        if options.upgrade, let upgrade = head.upgrade {
            out.append("Connection: upgrade\r\n")
            out.appendField("Upgrade", upgrade, of: source)
        } else if !options.keepAlive {
            out.append("Connection: close\r\n")
        }
        if options.body != .lengthAfterBuffering { out.append("\r\n") }
    }

    /// Completes a head written with `body: .lengthAfterBuffering`, once the whole body is in:
    /// appends "Content-Length: n\r\n" and the blank line. The field comes last, after any
    /// Connection fields; its position carries no meaning (RFC 9110 §5.3).
    ///
    /// `head` must end with what that `writeHead` call appended, with nothing added since:
    /// on any other head this would add a second framing field or a field after the blank line.
    public static func finishHead(_ head: inout [UInt8], contentLength: UInt64) {
        head.appendContentLengthField(contentLength)
        head.append("\r\n")
    }
}
