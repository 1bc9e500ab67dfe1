/// Pool names: the keys of the `[pools]` table, referenced by routes and shown in logs and metrics.
enum PoolName {
    /// True if `name` is non-empty and only contains ASCII letters, digits, "_" and "-".
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
        }
    }
}
