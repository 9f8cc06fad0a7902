import DatelineCore
import DatelineProtocol
import EventLog
import NIOCore

/// Where a `read` of one stream stands: the next version to read, how many events it may still
/// return, how many it returned. Pure: pages go in, event lines come out.
struct StreamReadCursor: Equatable {
    let id: RequestID?
    let stream: StreamName
    private(set) var next: StreamVersion
    private(set) var remaining: Int
    private(set) var count = 0
    /// A short page means the stream has no more.
    private(set) var reachedEnd = false

    init(id: RequestID?, request: ReadRequest) {
        self.id = id
        stream = request.stream
        next = request.fromVersion
        remaining = request.limit ?? Int.max
    }

    var isDone: Bool { remaining == 0 || reachedEnd }

    /// The page to read next.
    func nextPage(pageEvents: Int) -> (from: StreamVersion, limit: Int) {
        (next, min(pageEvents, remaining))
    }

    /// Writes the page's events (read with `limit` from `nextPage`).
    mutating func take(_ events: [RecordedEvent], limit: Int, into out: inout ByteBuffer) {
        for event in events {
            Reply.event(id: id, event, into: &out)
            next = StreamVersion(event.version.rawValue + 1)
            count += 1
            remaining -= 1
        }
        if events.count < limit { reachedEnd = true }
    }

    func writeEnd(into out: inout ByteBuffer) {
        Reply.readEnd(id: id, stream: stream, nextVersion: next, count: count, into: &out)
    }
}

/// Where a `replay` stands: every event at or before `sent` was written or filtered out; it
/// stops at the head it started with, or after `limit` matching events.
struct ReplayCursor: Equatable {
    let id: RequestID?
    let filter: SubscriptionFilter
    private(set) var sent: Position
    /// The head when the replay began: it stops there.
    let end: Position
    private(set) var remaining: Int
    private(set) var count = 0

    init(id: RequestID?, filter: SubscriptionFilter, after start: Position, end: Position, limit: Int?) {
        self.id = id
        self.filter = filter
        sent = start
        self.end = end
        remaining = limit ?? Int.max
    }

    var isDone: Bool { remaining == 0 || sent >= end }

    func nextPage(pageEvents: Int) -> (from: Position, limit: Int) {
        (sent.next, Int(min(Int64(pageEvents), end.rawValue - sent.rawValue)))
    }

    /// Writes the page's matching events up to the end or the limit.
    mutating func take(_ page: FilteredPage, into out: inout ByteBuffer) {
        for (i, event) in page.events.enumerated() where event.position > sent && event.position <= end {
            if page.matches[i] {
                Reply.event(id: id, event, into: &out)
                count += 1
                remaining -= 1
            }
            sent = event.position
            if remaining == 0 { break }
        }
        if page.events.isEmpty { sent = end }  // nothing more in the log
    }

    func writeEnd(into out: inout ByteBuffer) {
        Reply.replayEnd(id: id, next: sent.next, count: count, head: end, into: &out)
    }
}

/// A page of the log with the filter's verdict on each event, computed on the read thread so
/// payload scans stay off the event loop.
struct FilteredPage: Sendable {
    let events: [RecordedEvent]
    let matches: [Bool]

    init(_ events: [RecordedEvent], _ filter: SubscriptionFilter) {
        self.events = events
        matches = filter.isEmpty ? Array(repeating: true, count: events.count) : events.map(filter.matches)
    }
}
