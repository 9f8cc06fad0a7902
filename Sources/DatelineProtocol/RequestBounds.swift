import DatelineCore

/// The size bounds of `ProtocolLimits` applied to a filter or a query: the reason a request
/// is refused with `bad_request`, or nil. The server checks them before doing any work, so a
/// request's cost stays proportional to the data it reads, not to the text it sends.
extension ProtocolLimits {
    public func problem(with filter: SubscriptionFilter) -> String? {
        if filter.types.count > maxFilterTypes { return "a filter may name at most \(maxFilterTypes) event types" }
        if let s = filter.speaker, s.utf8.count > maxFilterTextBytes {
            return "speaker is longer than \(maxFilterTextBytes) bytes"
        }
        if let s = filter.streamPrefix, s.utf8.count > maxFilterTextBytes {
            return "stream_prefix is longer than \(maxFilterTextBytes) bytes"
        }
        return nil
    }

    public func problem(with query: QueryRequest) -> String? {
        if let s = query.speaker, s.utf8.count > maxFilterTextBytes {
            return "speaker is longer than \(maxFilterTextBytes) bytes"
        }
        if let g = query.grep {
            if g.utf8.count > maxQueryTextBytes { return "grep is longer than \(maxQueryTextBytes) bytes" }
            if g.split(whereSeparator: { $0.isWhitespace }).count > maxQueryWords {
                return "grep may have at most \(maxQueryWords) words"
            }
        }
        return nil
    }
}
