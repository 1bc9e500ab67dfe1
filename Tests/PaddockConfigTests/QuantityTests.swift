import Testing
@testable import PaddockConfig

@Suite struct QuantityTests {
    @Test(arguments: [
        ("250ms", Int64(250)), ("2s", 2_000), ("1m", 60_000), ("1h", 3_600_000),
        ("1.5s", 1_500), ("0.25s", 250), ("1.50m", 90_000), ("0ms", 0), ("10 s", 10_000), ("007s", 7_000),
        ("2562047788015h", 9_223_372_036_854_000_000),
    ])
    func validDurations(text: String, milliseconds: Int64) {
        #expect(DurationParser.milliseconds(text) == .success(milliseconds))
    }

    @Test(arguments: [
        ("5", UnitQuantity.Failure.missingUnit), ("-1s", .negative), ("5d", .unknownUnit("d")),
        ("5sec", .unknownUnit("sec")), ("s", .noNumber), ("", .noNumber), (".5s", .noNumber), ("1.s", .noNumber),
        ("0.5ms", .notWhole), ("1.0001s", .notWhole), ("1.2.3s", .unknownUnit(".3s")), ("+1s", .noNumber),
        ("2562047788016h", .tooLarge), ("99999999999999999999ms", .tooLarge),
    ])
    func invalidDurations(text: String, failure: UnitQuantity.Failure) {
        #expect(DurationParser.milliseconds(text) == .failure(failure))
    }

    @Test(arguments: [
        ("512", UInt64(512)), ("100B", 100), ("1KB", 1_000), ("100MB", 100_000_000), ("2GB", 2_000_000_000),
        ("1KiB", 1_024), ("1MiB", 1_048_576), ("1GiB", 1_073_741_824), ("1.5KiB", 1_536), ("1.5MB", 1_500_000), ("0", 0),
    ])
    func validSizes(text: String, bytes: UInt64) {
        #expect(ByteSizeParser.bytes(text) == .success(bytes))
    }

    @Test(arguments: [
        ("-1", UnitQuantity.Failure.negative), ("10mb", .unknownUnit("mb")), ("1TB", .unknownUnit("TB")),
        ("1.5B", .notWhole), ("MB", .noNumber), ("99999999999GiB", .tooLarge),
    ])
    func invalidSizes(text: String, failure: UnitQuantity.Failure) {
        #expect(ByteSizeParser.bytes(text) == .failure(failure))
    }

    @Test func bareIntegerSizeIsBytes() throws {
        let toml = Fixture.proxy + "[limits]\nmax_body_bytes = 1048576\n" + Fixture.webPool + Fixture.defaultRoute
        #expect(try ConfigLoader.parse(toml, file: Fixture.file).limits.maxBodyBytes == 1_048_576)
    }
}
