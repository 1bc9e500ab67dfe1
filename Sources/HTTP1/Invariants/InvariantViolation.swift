/// A codec invariant that does not hold for some input.
///
/// The `…Invariants` checks in this folder are shared by the fuzz targets (which trap on a
/// violation, so libFuzzer saves the input) and the corpus replay test in HTTP1Tests (which
/// records it as a failure). They use only the public API, plus a few internal helpers to
/// re-derive what a head should contain.
package struct InvariantViolation: Error, Sendable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}

/// Throws `InvariantViolation(message)` unless `condition` holds; the message is built only on
/// failure.
@inline(__always)
func ensure(_ condition: Bool, _ message: @autoclosure () -> String) throws(InvariantViolation) {
    if !condition { throw InvariantViolation(message()) }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws `InvariantViolation` (the standard one rethrows
    /// untyped errors).
    func withCheckedBytes(_ body: (UnsafeRawBufferPointer) throws(InvariantViolation) -> Void) throws(InvariantViolation) {
        let result: Result<Void, InvariantViolation> = withUnsafeBytes { bytes in
            do throws(InvariantViolation) {
                try body(bytes)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }
}
