// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "paddock",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "paddock", targets: ["paddock"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // libuv from Debian's libuv1-dev.
        .systemLibrary(
            name: "CLibUV",
            pkgConfig: "libuv",
            providers: [.apt(["libuv1-dev"])]
        ),
        // Thin Swift layer over libuv; the only importer of CLibUV.
        .target(name: "UV", dependencies: ["CLibUV"]),
        // OpenSSL 3 from Debian's libssl-dev.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // The session-ticket key ring (C: it is OpenSSL callback code with process-wide state).
        .target(name: "CTicketKeys", dependencies: ["COpenSSL"]),
        // TLS over the Transport seam (memory BIOs); with CTicketKeys, the only user of OpenSSL.
        .target(name: "TLS", dependencies: ["UV", "COpenSSL", "CTicketKeys", "PaddockConfig"]),
        // I/O-free HTTP/1.1 codec.
        .target(name: "HTTP1"),
        // TOML -> validated Config.
        .target(
            name: "PaddockConfig",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // Proxy state machines, pools, balancing, routing, admin.
        .target(
            name: "PaddockCore",
            dependencies: [
                "UV", "TLS", "HTTP1", "PaddockConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "paddock",
            dependencies: [
                "PaddockCore", "PaddockConfig", "TLS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Reads test cases (hex lines) and prints how HTTP1 parses each: for Tests/Differential.
        .executableTarget(name: "HTTP1Probe", dependencies: ["HTTP1"]),
        // Corpus/ is the saved fuzz corpus (see Fuzz/), replayed from the file system.
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"], exclude: ["Corpus"]),
        .testTarget(name: "PaddockConfigTests", dependencies: ["PaddockConfig"]),
        .testTarget(name: "PaddockCoreTests", dependencies: ["PaddockCore"]),
        .testTarget(name: "UVTests", dependencies: ["UV"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "UV", "COpenSSL"]),
    ],
    swiftLanguageModes: [.v6]
)
