// swift-tools-version: 6.0
import PackageDescription

// The module graph is the architecture (see ../shared/DESIGN.md and README.md):
//   DatelineJSON (the one JSON reader and writer, pure, depends on nothing)
//   DatelineCore (plain values) <- DatelineExtraction (pure)
//   DatelineCore <- EventLog (the only module that touches SQLite and zlib)
//   EventLog <- DatelineProjections (timelines folded from the log)
//   DatelineCore + NIOCore <- DatelineProtocol (wire types and codec, no sockets)
//   DatelineService (ingest pipeline, projections kept current, queries: the embedded engine)
//   DatelineServer (SwiftNIO TCP server) and DatelineClient (its client on ClientBootstrap): the
//   only modules that touch NIOPosix
//   dateline, datelined: thin executables.
let package = Package(
    name: "Dateline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dateline", targets: ["dateline"]),
        .executable(name: "datelined", targets: ["datelined"]),
        // Libraries for the benchmark and load tools, a package of their own in Benchmarks/ so that
        // `swift build` and `swift test` here do not build them.
        .library(name: "DatelineCore", targets: ["DatelineCore"]),
        .library(name: "EventLog", targets: ["EventLog"]),
        .library(name: "PostgresLog", targets: ["PostgresLog"]),
        .library(name: "DatelineExtraction", targets: ["DatelineExtraction"]),
        .library(name: "DatelineProjections", targets: ["DatelineProjections"]),
        .library(name: "DatelineProtocol", targets: ["DatelineProtocol"]),
        .library(name: "DatelineClient", targets: ["DatelineClient"]),
        .library(name: "DatelineServer", targets: ["DatelineServer"]),
        .library(name: "CSQLite", targets: ["CSQLite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        .target(name: "DatelineJSON"),
        .target(name: "DatelineCore"),
        .target(
            name: "DatelineExtraction",
            dependencies: ["DatelineCore"],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "EventLog",
            dependencies: [
                "DatelineCore", "CSQLite", "CZlib",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PostgresLog",
            dependencies: [
                "DatelineCore", "EventLog",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What the tests share: temporary directories and PostgreSQL databases, the built
        // executables, child processes awaited without blocking the pool, a test server in-process.
        .target(
            name: "DatelineTestSupport",
            dependencies: [
                "DatelineCore", "EventLog", "PostgresLog", "DatelineProtocol", "DatelineClient", "DatelineService",
                "DatelineServer",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DatelineProjections",
            dependencies: ["DatelineCore", "DatelineJSON", "EventLog"]
        ),
        .target(
            name: "DatelineProtocol",
            dependencies: [
                "DatelineCore", "DatelineJSON",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "DatelineClient",
            dependencies: [
                "DatelineCore", "DatelineProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "DatelineService",
            dependencies: [
                "DatelineCore", "DatelineExtraction", "EventLog", "DatelineProjections", "PostgresLog",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DatelineServer",
            dependencies: [
                "DatelineCore", "DatelineService", "DatelineProtocol", "EventLog", "DatelineProjections",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "dateline",
            dependencies: [
                "DatelineService", "DatelineClient", "DatelineProtocol", "DatelineCore", "DatelineExtraction",
                "DatelineProjections", "EventLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "datelined",
            dependencies: [
                "DatelineServer", "DatelineService", "DatelineProtocol", "EventLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "DatelineJSONTests", dependencies: ["DatelineJSON"]),
        .testTarget(name: "DatelineCoreTests", dependencies: ["DatelineCore"]),
        .testTarget(name: "DatelineExtractionTests", dependencies: ["DatelineExtraction", "DatelineCore"]),
        // The child that the event log's crash test kills (a test helper, so it builds with the tests).
        .executableTarget(
            name: "DatelineCrashWriter",
            dependencies: [
                "DatelineCore", "EventLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EventLogTests",
            dependencies: ["EventLog", "DatelineCore", "CSQLite", "CZlib", "DatelineTestSupport", "DatelineCrashWriter",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "PostgresLogTests",
            dependencies: ["PostgresLog", "EventLog", "DatelineCore", "DatelineTestSupport",
                           .product(name: "Logging", package: "swift-log")]
        ),
        // Written against `EventLogBackend` alone: every backend of the log must pass it unchanged.
        .testTarget(
            name: "EventLogConformanceTests",
            dependencies: ["EventLog", "PostgresLog", "DatelineCore", "DatelineTestSupport",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "DatelineProjectionsTests",
            dependencies: ["DatelineProjections", "DatelineJSON", "EventLog", "DatelineCore", "DatelineTestSupport",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "DatelineProtocolTests",
            dependencies: ["DatelineProtocol", "DatelineJSON", "DatelineCore", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "DatelineClientTests",
            dependencies: ["DatelineClient", "DatelineProtocol", "DatelineTestSupport",
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .testTarget(
            name: "DatelineServiceTests",
            dependencies: ["DatelineService", "DatelineProjections", "EventLog", "DatelineClient", "DatelineCore",
                           "DatelineExtraction", "dateline", "datelined", "PostgresLog", "DatelineTestSupport",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "DatelineServerTests",
            dependencies: [
                "DatelineServer", "DatelineClient", "DatelineProtocol", "DatelineService", "EventLog", "DatelineCore",
                "DatelineTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
