import HTTP1
import Testing
@testable import PaddockCore

/// Which client X-Request-ID is kept, and what generated ids look like.
@Suite struct RequestIDTests {
    private func accepted(_ fields: String) -> String? {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n".utf8)
        return bytes.withUnsafeBytes { input -> String? in
            var parser = RequestHeadParser(limits: HTTPLimits())
            guard case let .complete(head) = parser.parse(input) else {
                Issue.record("did not parse")
                return nil
            }
            return RequestID.accepted(from: head, in: input)
        }
    }

    @Test(arguments: [
        ("X-Request-ID: 7f3a-bc_12.x:y+z/w=\r\n", "7f3a-bc_12.x:y+z/w="),
        ("x-request-id: ABC\r\n", "ABC"),
    ])
    func aSaneIDIsKept(fields: String, id: String) {
        #expect(accepted(fields) == id)
    }

    @Test(arguments: [
        "",                                                       // none sent
        "X-Request-ID: \r\n",                                     // empty
        "X-Request-ID: has space\r\n",                            // a space
        "X-Request-ID: quote\"d\r\n",                             // outside the allowed set
        "X-Request-ID: " + String(repeating: "a", count: 129) + "\r\n",  // too long
        "X-Request-ID: a\r\nX-Request-ID: b\r\n",                 // two: which one?
    ])
    func anythingElseGetsANewID(fields: String) {
        #expect(accepted(fields) == nil)
    }

    @Test func generatedIDsAre32HexDigitsAndDoNotRepeat() {
        var generator = RequestIDGenerator(seed: 0xABCD)
        let ids = (0..<1000).map { _ in generator.next() }
        #expect(ids[0] == "000000000000abcd0000000000000001")
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
        var first = RequestIDGenerator(), second = RequestIDGenerator()
        #expect(first.next() != second.next(), "each loop draws its own prefix")
    }
}
