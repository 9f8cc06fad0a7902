import EventLog

extension TimelineStore {
    /// Runs queries in `body` so that they stop once `shouldStop` says so (a time budget passed,
    /// the server is stopping). A stopped query throws; the caller decides what to answer.
    public func stoppable<T>(_ shouldStop: @escaping () -> Bool, _ body: (TimelineStore) throws -> T) throws -> T {
        try db.stoppable(shouldStop) { try body(self) }
    }
}
