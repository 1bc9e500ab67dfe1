/// Sizes: a number with an optional unit B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB
/// (powers of 1024); no unit means bytes ("100MB", "1.5KiB", "512").
///
/// Invariant: results are exact whole byte counts.
enum ByteSizeParser {
    static let quantity = UnitQuantity(
        units: [
            ("B", 1), ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000),
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
        ],
        defaultMultiplier: 1,
        baseUnitName: "bytes",
        noun: "size",
        usage: "a number of bytes, optionally followed by B, KB, MB, GB, KiB, MiB or GiB, e.g. \"100MB\""
    )

    static func bytes(_ text: String) -> Result<UInt64, UnitQuantity.Failure> {
        quantity.parse(text)
    }
}
