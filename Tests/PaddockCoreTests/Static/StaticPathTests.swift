import Testing
@testable import PaddockCore

@Suite struct StaticPathTests {
    static func resolve(_ path: String, dotfiles: Bool = false) -> [String]? {
        StaticPath.resolve(Array(path.utf8), allowDotfiles: dotfiles)?.segments.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func plainPathsAreSplitAndDecodedOnce() {
        #expect(Self.resolve("css/app.css") == ["css", "app.css"])
        #expect(Self.resolve("a%20b/c%25d.txt") == ["a b", "c%d.txt"])
        #expect(Self.resolve("a//b///c") == ["a", "b", "c"])
        #expect(Self.resolve("%252e%252e/x") == ["%2e%2e", "x"], "decoded once: the second layer stays text")
    }

    @Test(arguments: ["../etc/passwd", "a/../../b", "a/./b", "%2e%2e/secret", "%2E%2E/secret", ".%2e/x",
                      "a%2fb", "a%2Fb", "a\\b", "a%5cb", "a%00b", "a%0ab", "bad%zzescape", "trailing%2", "%"])
    func escapesAreRejected(_ path: String) {
        #expect(Self.resolve(path) == nil, "\(path)")
    }

    @Test func dotfilesOnlyWhenAllowed() {
        #expect(Self.resolve(".env") == nil)
        #expect(Self.resolve("a/.git/config") == nil)
        #expect(Self.resolve("%2eenv") == nil)
        #expect(Self.resolve(".well-known/x", dotfiles: true) == [".well-known", "x"])
        #expect(Self.resolve("..", dotfiles: true) == nil, "allowing dotfiles never allows ..")
    }

    @Test func aTrailingSlashNamesAFolder() {
        #expect(StaticPath.resolve(Array("docs/".utf8), allowDotfiles: false)?.namesFolder == true)
        #expect(StaticPath.resolve(Array("".utf8), allowDotfiles: false)?.namesFolder == true)
        #expect(StaticPath.resolve(Array("docs".utf8), allowDotfiles: false)?.namesFolder == false)
    }
}

@Suite struct HTTPDateTests {
    @Test func formatsAndParsesIMFFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse(Array("Sun, 06 Nov 1994 08:49:37 GMT".utf8)) == 784_111_777)
        #expect(HTTPDate.parse(Array("Sunday, 06-Nov-94 08:49:37 GMT".utf8)) == nil, "RFC 850 form is ignored")
        #expect(HTTPDate.parse(Array("Sun, 06 Nov 1994 08:49:37 UTC".utf8)) == nil)
        #expect(HTTPDate.parse(Array("garbage".utf8)) == nil)
    }
}
