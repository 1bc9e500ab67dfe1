/// Collects every problem found while validating one file, in the order found.
///
/// Invariant: validation code never stops at the first problem; a decoder that cannot produce a
/// meaningful value must have reported at least one error here.
struct Diagnostics {
    let file: String
    private(set) var errors: [ConfigError] = []

    init(file: String) {
        self.file = file
    }

    var isEmpty: Bool { errors.isEmpty }

    mutating func report(_ path: ConfigPath, _ message: String) {
        errors.append(ConfigError(file: file, keyPath: path.description, message: message))
    }
}
