import Foundation

/// The package root, found from this file's path (Sources/DatelineTestSupport/…).
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// ../shared beside the package: third-party corpora and gold files, present in CI.
public let sharedDirectory = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
public let sharedIsPresent = FileManager.default.fileExists(atPath: sharedDirectory.appendingPathComponent("corpus/seed-000.txt").path)

/// A built executable of this package (`dateline`, `datelined`), next to the test bundle in the
/// build directory, or in `.build/debug` when the tests run from elsewhere.
public func productPath(_ name: String) throws -> String {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let fallback = packageRoot.appendingPathComponent(".build/debug/\(name)").path
    if FileManager.default.isExecutableFile(atPath: fallback) { return fallback }
    throw ProductNotFound(name: name)
}

public struct ProductNotFound: Error, CustomStringConvertible {
    public var name: String
    public init(name: String) { self.name = name }
    public var description: String { "the executable \(name) was not found next to the test bundle; run `swift build` first" }
}
