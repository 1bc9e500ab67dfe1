import Foundation
import HTTP1
import Testing

/// Replays the saved fuzz corpus (Corpus/request, Corpus/response; grown by scripts/fuzz)
/// through the same invariant checks the fuzz targets assert, so every input the fuzzers found
/// interesting stays covered by the normal test run.
@Suite struct CorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static func inputs(_ kind: String) throws -> [(name: String, bytes: [UInt8])] {
        let directory = corpus.appendingPathComponent(kind)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.map { ($0, Array(try Data(contentsOf: directory.appendingPathComponent($0)))) }
    }

    static func replay(_ kind: String, _ check: (UnsafeRawBufferPointer) throws(InvariantViolation) -> Void) throws {
        let inputs = try Self.inputs(kind)
        // The saved corpus holds hundreds of inputs; an empty or missing one means it was lost.
        #expect(inputs.count >= 50, "only \(inputs.count) \(kind) inputs in \(corpus.path)")
        for input in inputs {
            let violation: InvariantViolation? = input.bytes.withUnsafeBytes { bytes in
                do throws(InvariantViolation) {
                    try check(bytes)
                    return nil
                } catch {
                    return error
                }
            }
            if let violation {
                Issue.record("\(kind)/\(input.name): \(violation)")
            }
        }
    }

    @Test func requestCorpus() throws {
        try Self.replay("request", RequestInvariants.check)
    }

    @Test func responseCorpus() throws {
        try Self.replay("response", ResponseInvariants.check)
    }
}
