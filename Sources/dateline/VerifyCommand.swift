import ArgumentParser
import EventLog
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the whole log: CRCs, contiguous positions, stream versions, append-only triggers.",
        discussion: "Prints a summary and every fault found; the exit status is 1 when there is any."
    )

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let engine = try database.openEngine()
        defer { engine.close() }
        let report = try engine.store.verify()
        let ratio = report.storedBytes > 0 ? String(format: "%.2f", Double(report.rawBytes) / Double(report.storedBytes)) : "-"
        let codecs = report.codecCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("""
        log: \(database.db)
        events: \(report.events) in \(report.streams) streams, head \(report.head)
        payload: \(report.rawBytes) bytes raw, \(report.storedBytes) stored (ratio \(ratio)); codecs: \(codecs.isEmpty ? "-" : codecs)
        faults: \(report.faultCount)
        """)
        for fault in report.faults { print("  \(fault)") }
        if report.faultCount > report.faults.count {
            print("  … and \(report.faultCount - report.faults.count) more")
        }
        if !report.isHealthy { throw ExitCode(1) }
    }
}
