import DatelineCore
import DatelineExtraction
import Foundation

/// Where report lines go: standard output in the CLI, a buffer in tests.
public protocol LineSink {
    mutating func write(_ line: [UInt8])
}

/// Standard output through FileHandle (unbuffered by the C library, so a pipe reader sees
/// each line as it is written).
public struct StandardOutput: LineSink {
    public init() {}
    public mutating func write(_ line: [UInt8]) {
        FileHandle.standardOutput.write(Data(line))
    }
}

/// The `dateline extract` output: one JSON object per input record, in input order.
/// This is the contract the scorers in ../shared/tools read (see the README).
public enum ExtractionReport {
    struct Line: Encodable {
        var id: String?
        var date: CalendarDate
        var statements: [Statement]
        var tensions: [Tension]
    }

    struct Failure: Encodable {
        var id: String?
        var error: String
    }

    /// Writes a line per record and returns how many records could not be read.
    public static func write(inputs: ArticleInputs, to sink: some LineSink, extractor: Extractor = Extractor()) throws -> Int {
        var sink = sink
        let encoder = StableJSON.encoder()
        var failures = 0
        try inputs.forEachRecord { record, _, _ in
            var bytes: Data
            switch record.result {
            case .success(let article):
                let extraction = extractor.extract(article)
                bytes = try encoder.encode(Line(id: record.id, date: article.date,
                                                statements: extraction.statements, tensions: extraction.tensions))
            case .failure(let error):
                failures += 1
                bytes = try encoder.encode(Failure(id: record.id, error: error.description))
            }
            bytes.append(UInt8(ascii: "\n"))
            sink.write([UInt8](bytes))
            return true
        }
        return failures
    }
}
