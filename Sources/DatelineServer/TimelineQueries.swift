import DatelineCore
import DatelineProjections
import DatelineProtocol
import DatelineService
import Foundation
import NIOCore

/// Answers the protocol's `query` op from the engine's timelines: one `row` line per
/// statement or per pair and bucket, with the same fields as the CLI's `--json` output.
public enum TimelineQueries {
    /// Opens the engine's timelines now, so they follow every commit from the server's start.
    /// Each query may run for `budget`; past it, it is stopped and answered with `busy`.
    public static func handler(engine: DatelineEngine, budget: TimeAmount = ProtocolLimits.default.queryTimeBudget) throws -> QueryHandler {
        let timelines = try engine.timelines()
        let seconds = Double(budget.nanoseconds) / 1e9
        return { request in
            let rows: [Data]
            do {
                rows = try await run(request, timelines, seconds)
            } catch let stopped as QueryStopped {
                switch stopped {
                case .timeBudget: throw ProtocolError.busy(id: nil, reason: stopped.description)
                case .shuttingDown: throw ProtocolError(.shuttingDown, stopped.description, closes: false)
                }
            }
            return try rows.map(replyObject)
        }
    }

    /// The projections' checkpoints, lag and skipped events, for the server's `stats`.
    public static func stats(engine: DatelineEngine) throws -> TimelineStatsHandler {
        let timelines = try engine.timelines()
        return {
            try await timelines.read(budget: 5) { store in
                try store.stats().map { p -> ReplyObject in
                    ["name": .string(p.name), "checkpoint": .position(p.checkpoint), "lag": .int(p.lag),
                     "skipped_events": .int(Int64(p.malformed))]
                }
            }
        }
    }

    private static func run(_ request: QueryRequest, _ timelines: Timelines, _ seconds: Double) async throws -> [Data] {
        try await timelines.read(budget: seconds) { store in
            let encoder = StableJSON.encoder()
            switch request.kind {
            case .statements:
                let query = StatementQuery(speaker: request.speaker, affiliation: request.actor, since: request.since,
                                           until: request.until, words: request.grep, limit: request.limit)
                return try store.statements(query).map { try encoder.encode($0) }
            case .tensions:
                var query = TensionQuery(pair: request.pair, actor: request.actor, since: request.since,
                                         until: request.until, top: request.top)
                if let bucket = request.bucket.flatMap({ TimeBucket(rawValue: $0.rawValue) }) { query.bucket = bucket }
                let answer = try store.tensions(query)
                return try (request.limit.map { Array(answer.prefix($0)) } ?? answer).map { try encoder.encode($0) }
            }
        }
    }

    /// Splits an encoded row into its top-level fields, each value spliced verbatim.
    static func replyObject(_ json: Data) throws -> ReplyObject {
        let bytes = [UInt8](json)
        let node = try JSON.parse(bytes)
        guard case .object(let members) = node.value else { return ReplyObject() }
        return ReplyObject(members.sorted { $0.key < $1.key }.map { key, value in
            (name: key, value: .raw(Array(bytes[value.range])))
        })
    }
}
