import Testing
@testable import PaddockConfig

@Suite struct DidYouMeanTests {
    @Test(arguments: [
        ("balnce", ["kind", "balance", "servers"], "balance"),
        ("asynk", ["sync", "async"], "async"),
        ("sinc", ["sync", "async"], "sync"),
        ("wbe", ["api", "web"], "web"),
        ("Balance", ["kind", "balance"], "balance"),
        ("round-robin", ["least_outstanding", "round_robin"], "round_robin"),
        ("connect_timout", ["connect_timeout", "response_timeout"], "connect_timeout"),
        ("mb", ["B", "KB", "MB", "GB"], "MB"),
    ] as [(String, [String], String)])
    func suggestsTheClosest(word: String, candidates: [String], expected: String) {
        #expect(DidYouMean.suggestion(for: word, among: candidates) == expected)
    }

    @Test(arguments: [
        ("colour", ["listen", "client_timeout"]),
        ("d", ["ms", "s", "m", "h"]),
        ("backend", ["api", "web"]),
        ("web", ["web"]),
        ("x", []),
    ] as [(String, [String])])
    func staysQuietWhenNothingIsClose(word: String, candidates: [String]) {
        #expect(DidYouMean.suggestion(for: word, among: candidates) == nil)
    }

    @Test func editDistanceCountsTranspositionsOnce() {
        #expect(DidYouMean.editDistance(Array("wbe"), Array("web")) == 1)
        #expect(DidYouMean.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(DidYouMean.editDistance(Array(""), Array("abc")) == 3)
    }
}
