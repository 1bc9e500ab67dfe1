/// Durations: a number followed by ms, s, m or h ("250ms", "2s", "1.5m", "1h"), stored in milliseconds.
///
/// Invariant: results are exact, non-negative and fit in `Int64`.
enum DurationParser {
    static let quantity = UnitQuantity(
        units: [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)],
        defaultMultiplier: nil,
        baseUnitName: "milliseconds",
        noun: "duration",
        usage: "a number followed by ms, s, m or h, e.g. \"250ms\", \"2s\" or \"1.5m\""
    )

    static func milliseconds(_ text: String) -> Result<Int64, UnitQuantity.Failure> {
        quantity.parse(text).flatMap { value in
            value <= UInt64(Int64.max) ? .success(Int64(value)) : .failure(.tooLarge)
        }
    }
}
