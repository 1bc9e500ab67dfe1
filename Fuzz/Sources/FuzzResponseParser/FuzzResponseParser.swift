import CFuzzerDriver
import HTTP1

/// Fuzzes the response side: parse the input as a response head (to GET, HEAD and CONNECT),
/// decode its body, serialize it downstream and re-parse that, asserting `ResponseInvariants`
/// (a violation traps, so libFuzzer saves the input).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    do {
        try ResponseInvariants.check(UnsafeRawBufferPointer(start: data, count: size))
    } catch {
        fatalError("response invariant violated: \(error)")
    }
    return 0
}

/// SwiftPM gives every executable a Swift entry point; it hands over to libFuzzer's driver.
@main
enum FuzzResponseParser {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        _ = LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzResponse(data, size) }
    }
}
