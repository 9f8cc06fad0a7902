import DatelineCore
import Foundation
import Logging
@testable import EventLog

let quietLogger = Logger(label: "dateline.test", factory: { _ in SwiftLogNoOpLogHandler() })

func openStore(_ path: String, _ options: EventStoreOptions = EventStoreOptions()) throws -> EventStore {
    try EventStore(path: path, options: options, logger: quietLogger)
}

func stream(_ name: String) -> StreamName { try! StreamName(name) }

func event(_ id: String, type: EventType = .statementRecorded, data: [UInt8]? = nil) -> ProposedEvent {
    ProposedEvent(id: try! EventID(id), type: type, data: data ?? Array(#"{"n":"\#(id)"}"#.utf8))
}

/// A statement-like JSON payload of roughly `size` bytes: real words, varied, not random bytes.
func statementJSON(seed: Int, size: Int = 400) -> [UInt8] {
    let words = ["the", "minister", "said", "talks", "with", "NATO", "would", "continue", "security", "guarantees",
                 "Russia", "Ukraine", "border", "troops", "Moscow", "Washington", "written", "responses", "fail",
                 "to", "address", "main", "concerns", "over", "eastward", "enlargement", "of", "alliance", "Kyiv"]
    var state = UInt64(truncatingIfNeeded: seed &* 2_654_435_761 &+ 1)
    func nextWord() -> String {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return words[Int(state >> 33) % words.count]
    }
    var content = ""
    let head = #"{"article_hash":"\#(String(repeating: "ab", count: 32))","extractor_version":"dateline-extract/1","index":\#(seed),"statement":{"content":""#
    let tail = #"","cue":{"end":402,"lemma":"say","start":398,"surface":"said"},"date":"2022-01-27","end":381,"kind":"indirect","polarity":"assert","speaker":{"affiliation":"RUS","entity":"person:sergey-lavrov","name":"Sergey Lavrov","surface":"Lavrov"},"start":173}}"#
    while head.utf8.count + content.utf8.count + tail.utf8.count < size {
        content += (content.isEmpty ? "" : " ") + nextWord()
    }
    return Array((head + content + tail).utf8)
}

/// Reads a row's codec straight from SQLite.
func storedCodec(_ path: String, position: Int64) throws -> Int64? {
    let db = try SQLiteDatabase(path: path)
    defer { db.close() }
    return try db.scalarInt("SELECT codec FROM events WHERE position = ?1", [.integer(position)])
}

/// Waits (bounded) until `condition` holds; for ordering steps, not for timing.
func waitUntil(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<2_000 {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 1_000_000)
    }
    return condition()
}
