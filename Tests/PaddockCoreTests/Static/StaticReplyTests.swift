import Testing
@testable import PaddockCore

@Suite struct StaticReplyTests {
    static let file = StaticReply.File(size: 1000, modified: 784_111_777)
    static let name = Array("app.css".utf8)
    static let tag = StaticReply.etag(file, .identity)

    static func plan(_ request: StaticReply.Request, brotli: StaticReply.File? = nil,
                     gzip: StaticReply.File? = nil) -> StaticReply {
        StaticReply.plan(request, name: name, identity: file, brotli: brotli, gzip: gzip, cacheControl: "public, max-age=60")
    }

    static func field(_ reply: StaticReply, _ name: String) -> String? {
        reply.fields.first { $0.0 == name }?.1
    }

    @Test func aPlainGetHasEveryValidator() {
        let reply = Self.plan(StaticReply.Request())
        #expect(reply.status == 200 && reply.body == 0..<1000)
        #expect(Self.field(reply, "Content-Type") == "text/css; charset=utf-8")
        #expect(Self.field(reply, "ETag") == Self.tag)
        #expect(Self.field(reply, "Last-Modified") == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(Self.field(reply, "Cache-Control") == "public, max-age=60")
        #expect(Self.field(reply, "Content-Length") == "1000")
        #expect(Self.field(reply, "Vary") == nil, "no sibling, nothing varies")
    }

    @Test func headHasTheHeadersAndNoBody() {
        let reply = Self.plan(StaticReply.Request(isHead: true))
        #expect(reply.status == 200 && reply.body == nil && Self.field(reply, "Content-Length") == "1000")
    }

    @Test func conditionalsGive304() {
        let tag = Array(Self.tag.utf8)
        #expect(Self.plan(StaticReply.Request(ifNoneMatch: tag)).status == 304)
        #expect(Self.plan(StaticReply.Request(ifNoneMatch: Array("\"other\", W/".utf8) + tag)).status == 304)
        #expect(Self.plan(StaticReply.Request(ifNoneMatch: Array("*".utf8))).status == 304)
        #expect(Self.plan(StaticReply.Request(ifNoneMatch: Array("\"other\"".utf8))).status == 200)
        #expect(Self.plan(StaticReply.Request(ifModifiedSince: Array("Sun, 06 Nov 1994 08:49:37 GMT".utf8))).status == 304)
        #expect(Self.plan(StaticReply.Request(ifModifiedSince: Array("Sat, 05 Nov 1994 08:49:37 GMT".utf8))).status == 200)
        // If-None-Match wins over If-Modified-Since (RFC 9110 §13.1.3).
        #expect(Self.plan(StaticReply.Request(ifNoneMatch: Array("\"other\"".utf8),
                                              ifModifiedSince: Array("Sun, 06 Nov 1994 08:49:37 GMT".utf8))).status == 200)
        let notModified = Self.plan(StaticReply.Request(ifNoneMatch: tag))
        #expect(notModified.body == nil && Self.field(notModified, "ETag") == Self.tag && Self.field(notModified, "Content-Length") == nil)
    }

    @Test(arguments: [
        ("bytes=0-99", StaticReply.RangeResult.satisfiable(0..<100)), ("bytes=900-", .satisfiable(900..<1000)),
        ("bytes=-100", .satisfiable(900..<1000)), ("bytes=990-2000", .satisfiable(990..<1000)),
        ("bytes=-5000", .satisfiable(0..<1000)), ("bytes=1000-", .unsatisfiable), ("bytes=5000-6000", .unsatisfiable),
        ("bytes=-0", .unsatisfiable), ("bytes=0-1,5-6", .ignored), ("bytes=5-1", .ignored), ("items=0-1", .ignored),
        ("bytes=a-b", .ignored), ("bytes=-", .ignored),
    ])
    func ranges(_ value: String, _ expected: StaticReply.RangeResult) {
        #expect(StaticReply.byteRange(Array(value.utf8), size: 1000) == expected)
    }

    @Test func rangeRepliesCarryContentRange() {
        let partial = Self.plan(StaticReply.Request(range: Array("bytes=10-19".utf8)))
        #expect(partial.status == 206 && partial.body == 10..<20)
        #expect(Self.field(partial, "Content-Range") == "bytes 10-19/1000" && Self.field(partial, "Content-Length") == "10")
        let unsatisfiable = Self.plan(StaticReply.Request(range: Array("bytes=5000-".utf8)))
        #expect(unsatisfiable.status == 416 && unsatisfiable.body == nil)
        #expect(Self.field(unsatisfiable, "Content-Range") == "bytes */1000")
        #expect(Self.field(unsatisfiable, "Cache-Control") == nil, "an error is not cached")
        // An If-Range that does not match: the whole file.
        let stale = Self.plan(StaticReply.Request(range: Array("bytes=10-19".utf8), ifRange: Array("\"old\"".utf8)))
        #expect(stale.status == 200 && stale.body == 0..<1000)
        let fresh = Self.plan(StaticReply.Request(range: Array("bytes=10-19".utf8), ifRange: Array(Self.tag.utf8)))
        #expect(fresh.status == 206)
    }

    @Test func precompressedSiblingsFollowAcceptEncoding() {
        let brotli = StaticReply.File(size: 300, modified: 784_111_777)
        let gzip = StaticReply.File(size: 400, modified: 784_111_777)
        let br = Self.plan(StaticReply.Request(acceptEncoding: Array("gzip, deflate, br".utf8)), brotli: brotli, gzip: gzip)
        #expect(br.encoding == .brotli && br.body == 0..<300)
        #expect(Self.field(br, "Content-Encoding") == "br" && Self.field(br, "Vary") == "Accept-Encoding")
        #expect(Self.field(br, "ETag") != Self.tag, "another representation, another tag")
        let brTag = Array(Self.field(br, "ETag")!.utf8)
        let unchanged = Self.plan(StaticReply.Request(ifNoneMatch: brTag, acceptEncoding: Array("br".utf8)), brotli: brotli)
        #expect(unchanged.status == 304 && Self.field(unchanged, "Content-Encoding") == nil && Self.field(unchanged, "Vary") != nil)
        let gz = Self.plan(StaticReply.Request(acceptEncoding: Array("gzip;q=0.8, br;q=0".utf8)), brotli: brotli, gzip: gzip)
        #expect(gz.encoding == .gzip && Self.field(gz, "Content-Encoding") == "gzip")
        let plain = Self.plan(StaticReply.Request(), brotli: brotli, gzip: gzip)
        #expect(plain.encoding == .identity && Self.field(plain, "Vary") == "Accept-Encoding" && Self.field(plain, "Content-Encoding") == nil)
        let star = Self.plan(StaticReply.Request(acceptEncoding: Array("*".utf8)), gzip: gzip)
        #expect(star.encoding == .gzip)
    }
}
