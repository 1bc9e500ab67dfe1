import CFuzzerDriver
import HTTP1

/// Fuzzes the request side: parse the input as a request head, decode its body, serialize it
/// upstream and re-parse that, asserting `RequestInvariants` (a violation traps, so libFuzzer
/// saves the input).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    do {
        try RequestInvariants.check(UnsafeRawBufferPointer(start: data, count: size))
    } catch {
        fatalError("request invariant violated: \(error)")
    }
    return 0
}

/// SwiftPM gives every executable a Swift entry point; it hands over to libFuzzer's driver.
@main
enum FuzzRequestParser {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        _ = LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzRequest(data, size) }
    }
}
