import HTTP1
import Testing

/// Incremental parsing must give exactly the one-shot result, wherever the input is split.
@Suite struct IncrementalParsingTests {
    static let sample = "\r\nPOST http://Up.example:81/submit?x=1 HTTP/1.1\r\nHost: up.example\r\n"
        + "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nX_Under: 2\r\nContent-Length: 11\r\n"
        + "Expect: 100-continue\r\nAccept:  */* \r\n\r\nhello world"

    /// Every observable property of a head, ranges as offsets.
    static func describe(_ head: RequestHead) -> String {
        let fields = head.fields.map { "\($0.name)=\($0.value)/\($0.token)/\($0.isHopByHop)" }
        return "\(head.method) \(head.methodKind) \(head.target) \(head.path) \(head.version) \(fields) "
            + "\(String(describing: head.host)) \(head.headLength) \(head.framing) \(head.keepAlive) "
            + "\(head.expectsContinue) \(String(describing: head.upgrade))"
    }

    static func describe(_ result: HeadParseResult<RequestHead>) -> String {
        switch result {
        case .complete(let head): "complete " + describe(head)
        case .incomplete: "incomplete"
        case .failure(let error): "failure \(error)"
        }
    }

    /// Feeds growing prefixes of `bytes` at the given cut points, then the whole buffer.
    static func parse(_ bytes: [UInt8], cuts: [Int]) -> (intermediate: [String], final: String) {
        var parser = RequestHeadParser()
        var intermediate: [String] = []
        for cut in cuts {
            intermediate.append(describe(Array(bytes[..<cut]).withUnsafeBytes { parser.parse($0) }))
        }
        return (intermediate, describe(bytes.withUnsafeBytes { parser.parse($0) }))
    }

    @Test func byteByByteMatchesOneShot() throws {
        let bytes = Array(Self.sample.utf8)
        let oneShot = Self.parse(bytes, cuts: []).final
        #expect(oneShot.hasPrefix("complete "))
        let headLength = try #require(request(Self.sample)).head.headLength
        let run = Self.parse(bytes, cuts: Array(0..<headLength))
        #expect(run.intermediate.allSatisfy { $0 == "incomplete" })
        #expect(run.final == oneShot)
    }

    @Test func everySplitMatchesOneShot() {
        let bytes = Array(Self.sample.utf8)
        let oneShot = Self.parse(bytes, cuts: []).final
        for cut in 0...bytes.count {
            #expect(Self.parse(bytes, cuts: [cut]).final == oneShot, "split at \(cut)")
        }
    }

    /// Errors are found the same way when input trickles in, and stay sticky.
    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: a\r\nX : b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: b\rc\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\n\r\n", 400),
    ])
    func errorsByteByByte(_ raw: String, _ status: Int) {
        let bytes = Array(raw.utf8)
        var parser = RequestHeadParser()
        var first: HTTPParseError?
        for end in 0...bytes.count {
            if case .failure(let error) = Array(bytes[..<end]).withUnsafeBytes({ parser.parse($0) }) {
                if let first { #expect(error == first, "sticky") } else { first = error }
            }
        }
        #expect(first?.status == status)
    }

    @Test func completeResultIsStableUntilReset() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        var parser = RequestHeadParser()
        let first = Self.describe(bytes.withUnsafeBytes { parser.parse($0) })
        let again = Self.describe(bytes.withUnsafeBytes { parser.parse($0) })
        #expect(first == again)
        #expect(first.hasPrefix("complete "))
    }

    /// Pipelining: headLength (+ body) is where the next request starts; reset() starts over.
    @Test func pipelinedRequests() throws {
        let raw = "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "GET /two HTTP/1.1\r\nHost: b\r\n\r\n"
            + "GET /three HTTP/1.1\r\nHost: c\r\n\r\n"
        let bytes = Array(raw.utf8)
        var parser = RequestHeadParser()
        var offset = 0
        var targets: [String] = []
        while offset < bytes.count {
            let rest = Array(bytes[offset...])
            guard case .complete(let head) = rest.withUnsafeBytes({ parser.parse($0) }) else {
                Issue.record("request at \(offset) did not parse")
                return
            }
            targets.append(String(decoding: rest[head.target], as: UTF8.self))
            var body = 0
            if case .contentLength(let n) = head.framing { body = Int(n) }
            offset += head.headLength + body
            parser.reset()
        }
        #expect(targets == ["/one", "/two", "/three"])
        #expect(offset == bytes.count)
    }

    /// A second request's bytes already in the buffer do not disturb the first.
    @Test func headLengthStopsAtFirstRequest() throws {
        let first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
        let p = try #require(request(first + "GET /b HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(p.head.headLength == first.utf8.count)
    }
}
