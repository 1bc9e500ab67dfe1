import Foundation
import Testing
@testable import PaddockConfig

@Suite struct LoaderTests {
    @Test func loadsAFileAndKeepsThePathAsGiven() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("paddock-config-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("paddock.toml").path
        try Fixture.minimal.write(toFile: path, atomically: true, encoding: .utf8)

        let config = try ConfigLoader.load(path: path)
        #expect(config.file == path)
        #expect(config.pools.map(\.name) == ["web"])
    }

    @Test func missingFileIsOneErrorWithTheOSReason() {
        #expect(loadErrors("/nonexistent/paddock.toml") == [
            "/nonexistent/paddock.toml: cannot open config file: No such file or directory",
        ])
    }

    @Test func directoryIsOneErrorWithTheOSReason() {
        #expect(loadErrors("/") == ["/: cannot read config file: Is a directory"])
    }

    @Test func syntaxErrorHasLineAndColumn() throws {
        let toml = "[proxy]\nlisten = [\n  \"a\" \"b\"]\n"
        #expect(Fixture.errors(toml) == [
            "paddock.toml:3:7: TOML syntax error: Error while parsing array: expected comma or closing ']', saw '\"'",
        ])
        do {
            _ = try ConfigLoader.parse(toml, file: "x.toml")
            Issue.record("expected a syntax error")
        } catch {
            let only = try #require(error.errors.first)
            #expect(only.line == 3)
            #expect(only.column == 7)
            #expect(only.keyPath == "")
        }
    }

    @Test func duplicateKeyIsASyntaxError() {
        #expect(Fixture.errors("[proxy]\nlisten = \"127.0.0.1:1\"\nlisten = \"127.0.0.1:2\"\n") == [
            "paddock.toml:3:10: TOML syntax error: Error while parsing key-value pair: cannot redefine existing string 'listen'",
        ])
    }

    @Test func errorsDescriptionIsOneErrorPerLine() {
        let errors = ConfigErrors(errors: [
            ConfigError(file: "a.toml", keyPath: "pools", message: "m1"),
            ConfigError(file: "a.toml", keyPath: "", message: "m2", line: 1, column: 2),
            ConfigError(file: "a.toml", keyPath: "", message: "m3"),
        ])
        #expect(errors.description == "a.toml: pools: m1\na.toml:1:2: m2\na.toml: m3")
    }

    private func loadErrors(_ path: String) -> [String] {
        do {
            _ = try ConfigLoader.load(path: path)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }
}
