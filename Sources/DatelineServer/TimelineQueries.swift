import DatelineCore
import DatelineProjections
import DatelineProtocol
import DatelineService
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
            let rows: [ReplyObject]
            do {
                rows = try await run(request, timelines, seconds)
            } catch let stopped as QueryStopped {
                switch stopped {
                case .timeBudget: throw ProtocolError.busy(id: nil, reason: stopped.description)
                case .shuttingDown: throw ProtocolError(.shuttingDown, stopped.description, closes: false)
                }
            }
            return rows
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

    /// Runs the query and writes each row's members once, with the shared JSON writer, while the
    /// rows are at hand; the connection copies them into its `row` lines as bytes.
    private static func run(_ request: QueryRequest, _ timelines: Timelines, _ seconds: Double) async throws -> [ReplyObject] {
        try await timelines.read(budget: seconds) { store in
            switch request.kind {
            case .statements:
                let query = StatementQuery(speaker: request.speaker, affiliation: request.actor, since: request.since,
                                           until: request.until, words: request.grep, limit: request.limit)
                return try store.statements(query).map { ReplyObject(encodedMembers: $0.jsonMembers) }
            case .tensions:
                var query = TensionQuery(pair: request.pair, actor: request.actor, since: request.since,
                                         until: request.until, top: request.top)
                if let bucket = request.bucket.flatMap({ TimeBucket(rawValue: $0.rawValue) }) { query.bucket = bucket }
                let answer = try store.tensions(query)
                return (request.limit.map { Array(answer.prefix($0)) } ?? answer).map { ReplyObject(encodedMembers: $0.jsonMembers) }
            }
        }
    }
}
