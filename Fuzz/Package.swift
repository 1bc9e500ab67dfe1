// swift-tools-version: 6.1
// libFuzzer targets for the HTTP1 codec. A separate package, so that the main package's plain
// `swift build` never builds executables that need libFuzzer's runtime. Sources/HTTP1 here is
// a symlink to the real codec. Build and run through scripts/fuzz, which passes
//   -Xswiftc -sanitize=fuzzer,address
//   -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
//
// Each target has a Swift `main` (SwiftPM links one into every executable target) that hands
// control to libFuzzer's driver, LLVMFuzzerRunDriver, declared by CFuzzerDriver.
import PackageDescription

let package = Package(
    name: "HTTP1Fuzz",
    products: [
        .executable(name: "FuzzRequestParser", targets: ["FuzzRequestParser"]),
        .executable(name: "FuzzResponseParser", targets: ["FuzzResponseParser"]),
    ],
    targets: [
        .target(name: "HTTP1"),
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "FuzzRequestParser", dependencies: ["HTTP1", "CFuzzerDriver"]),
        .executableTarget(name: "FuzzResponseParser", dependencies: ["HTTP1", "CFuzzerDriver"]),
    ],
    swiftLanguageModes: [.v6]
)
