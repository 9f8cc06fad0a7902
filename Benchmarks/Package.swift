// swift-tools-version: 6.0
import PackageDescription

// The benchmark and load tools, a package of their own so that `swift build` and `swift test`
// of the main package (and CI) do not build them. They use the main package's modules through
// its library products. Build them in release mode from the repository root, as tools/*.sh do:
//   swift build -c release --package-path Benchmarks --product dateline-bench
let package = Package(
    name: "DatelineBenchmarks",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dateline-bench", targets: ["DatelineBench"]),
        .executable(name: "dateline-load", targets: ["DatelineLoad"]),
    ],
    dependencies: [
        .package(name: "Dateline", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .executableTarget(
            name: "DatelineBench",
            dependencies: [
                .product(name: "DatelineCore", package: "Dateline"),
                .product(name: "EventLog", package: "Dateline"),
                .product(name: "DatelineExtraction", package: "Dateline"),
                .product(name: "DatelineProjections", package: "Dateline"),
                .product(name: "PostgresLog", package: "Dateline"),
                .product(name: "DatelineProtocol", package: "Dateline"),
                .product(name: "CSQLite", package: "Dateline"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "DatelineLoad",
            dependencies: [
                .product(name: "DatelineServer", package: "Dateline"),
                .product(name: "DatelineClient", package: "Dateline"),
                .product(name: "DatelineProtocol", package: "Dateline"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
