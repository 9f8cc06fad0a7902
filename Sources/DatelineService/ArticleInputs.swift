import DatelineCore
import DatelineExtraction
import Foundation

/// Reads article records from the paths a user names on the command line (files, directories,
/// or `-` for standard input), in order, one record at a time, so a large JSON Lines file
/// never needs all its articles in memory at once.
public struct ArticleInputs: Sendable {
    public var paths: [String]

    public init(paths: [String]) {
        self.paths = paths.isEmpty ? ["-"] : paths
    }

    /// Every input file, with directories expanded to their article files (sorted by name),
    /// or the reason a named path cannot be read; the others are still read.
    public func files() -> [Result<String, ArticleInputError>] {
        var out: [Result<String, ArticleInputError>] = []
        for path in paths {
            if path == "-" { out.append(.success(path)); continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                out.append(.failure(ArticleInputError(origin: path, recordID: path, reason: "no such file or directory")))
                continue
            }
            guard isDirectory.boolValue else { out.append(.success(path)); continue }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                out.append(.failure(ArticleInputError(origin: path, recordID: path, reason: "cannot list the directory")))
                continue
            }
            for name in names.sorted() where Self.isArticleFile(name) {
                out.append(.success((path as NSString).appendingPathComponent(name)))
            }
        }
        return out
    }

    /// Files inside the named directories that are not read because of their extension
    /// (hidden files aside), so the summary can say what was left out.
    public func skippedFiles() -> [String] {
        var out: [String] = []
        for path in paths where path != "-" {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
                  let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
            for name in names.sorted() where !name.hasPrefix(".") && !Self.isArticleFile(name) {
                let full = (path as NSString).appendingPathComponent(name)
                var sub: ObjCBool = false
                if FileManager.default.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue { out.append(full) }
            }
        }
        return out
    }

    /// True when the inputs include standard input (`-`, or no paths at all).
    public var readsStandardInput: Bool { paths.contains("-") }

    /// JSON Lines records longer than this are refused unread: escapes aside, their text would
    /// be over `Article.maxTextBytes`.
    static let maxRecordBytes = 2 * Article.maxTextBytes + (64 << 10)

    static func isArticleFile(_ name: String) -> Bool {
        let lower = name.lowercased()
        return !name.hasPrefix(".") && [".txt", ".json", ".jsonl", ".ndjson"].contains { lower.hasSuffix($0) }
    }

    /// Calls `body` for each record of each input, in order. Unreadable files are reported as
    /// failed records, and the rest continues. Returning false from `body` stops early.
    public func forEachRecord(_ body: (ArticleRecord, _ origin: String, _ bytesRead: Int) throws -> Bool) throws {
        for entry in files() {
            let file: String
            switch entry {
            case .success(let path): file = path
            case .failure(let error):
                guard try body(ArticleRecord(id: error.origin, line: nil, result: .failure(error)), error.origin, 0) else { return }
                continue
            }
            let data: Data
            do {
                data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                                   : try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                let failure = ArticleInputError(origin: file, recordID: file, reason: "cannot read the file")
                guard try body(ArticleRecord(id: file, line: nil, result: .failure(failure)), file, 0) else { return }
                continue
            }
            let name = file == "-" ? "-" : (file as NSString).lastPathComponent
            // JSON Lines are checked record by record (one bad byte refuses its record, not the
            // file), so sniffing standard input needs only its beginning.
            let format = file == "-" ? ArticleFormat(sniffing: String(decoding: data.prefix(64 << 10), as: UTF8.self)[...])
                                     : ArticleFormat(fileName: file)
            if format == .jsonLines {
                // Record by record: each line is parsed only when it is reached.
                var lineNumber = 0
                var offset = 0
                for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                    lineNumber += 1
                    offset += line.count + 1
                    guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
                    let record: ArticleRecord
                    if line.count > Self.maxRecordBytes {
                        // Not even parsed: its text would be over `Article.maxTextBytes`.
                        record = ArticleRecord(id: "\(name):\(lineNumber)", line: lineNumber, result: .failure(ArticleInputError(
                            origin: name, line: lineNumber, recordID: "\(name):\(lineNumber)",
                            reason: "the record is \(line.count) bytes; an article's text may have at most \(Article.maxTextBytes)")))
                    } else if String(validating: line, as: UTF8.self) == nil {
                        record = ArticleRecord(id: "\(name):\(lineNumber)", line: lineNumber, result: .failure(ArticleInputError(
                            origin: name, line: lineNumber, recordID: "\(name):\(lineNumber)", reason: "the record is not valid UTF-8")))
                    } else {
                        record = ArticleReader.parseJSONRecord(line, origin: name, line: lineNumber)
                    }
                    guard try body(record, name, min(offset, data.count)) else { return }
                }
            } else if let text = String(data: data, encoding: .utf8) {
                let records = ArticleReader.records(in: text, format: format, origin: name)
                for record in records {
                    guard try body(record, name, data.count) else { return }
                }
            } else {
                let failure = ArticleInputError(origin: file, recordID: file, reason: "the file is not UTF-8 text")
                guard try body(ArticleRecord(id: file, line: nil, result: .failure(failure)), file, data.count) else { return }
            }
        }
    }
}
