import DatelineCore
import DatelineProtocol
import EventLog
import NIOCore

/// The `read` or `replay` in progress: its cursor, and whether a page is on its way. `serial`
/// tells a page that comes back after its job ended (or was replaced) to do nothing, so a
/// request never gets a second `end`.
struct PagedJob {
    enum Cursor {
        case read(StreamReadCursor)
        case replay(ReplayCursor)
    }

    var cursor: Cursor
    let serial: Int
    var readInFlight = false
}

/// Read and replay: pages from the log (on the read threads), written as the client takes them.
extension ConnectionHandler {
    func startRead(_ request: ReadRequest, id: RequestID?) {
        beginRequest()
        let stream = request.stream
        core.read(on: eventLoop) { try await $0.streamVersion(stream) }.assumeIsolated().whenComplete { result in
            switch result {
            case .success(.none):
                self.fail(ProtocolError.streamNotFound(id: id, stream: stream))
                self.finishRequest()
            case .success(.some):
                self.startJob(.read(StreamReadCursor(id: id, request: request)))
            case .failure(let error):
                self.fail(self.protocolError(error, id: id))
                self.finishRequest()
            }
        }
    }

    func startReplay(_ request: ReplayRequest, id: RequestID?) {
        beginRequest()
        resolveStart(request.from, id: id) { start, head in
            self.startJob(.replay(ReplayCursor(id: id, filter: request.filter, after: start, end: head, limit: request.limit)))
        } failure: { error in
            self.fail(error)
            self.finishRequest()
        }
    }

    private func startJob(_ cursor: PagedJob.Cursor) {
        jobSerial += 1
        activeJob = PagedJob(cursor: cursor, serial: jobSerial)
        pumpActiveJob()
    }

    /// Writes the end line when the job is done, else reads its next page if the client takes output.
    func pumpActiveJob() {
        guard let job = activeJob, !job.readInFlight, !state.isClosed else { return }
        if !canWrite { flushOut() }
        guard canWrite else { return }  // resumed when the channel is writable again
        let pageEvents = core.configuration.pageEvents
        let serial = job.serial
        switch job.cursor {
        case .read(let cursor):
            if cursor.isDone {
                cursor.writeEnd(into: &out)
                finishRequest()
                return
            }
            let (from, limit) = cursor.nextPage(pageEvents: pageEvents)
            let stream = cursor.stream
            activeJob?.readInFlight = true
            core.read(on: eventLoop) { try await $0.readStream(stream, from: from, limit: limit) }.assumeIsolated().whenComplete { result in
                guard var job = self.currentJob(serial), case .read(var cursor) = job.cursor else { return }
                switch result {
                case .success(let events):
                    cursor.take(events, limit: limit, into: &self.out)
                    job.cursor = .read(cursor)
                    self.activeJob = job
                    if !cursor.isDone { self.flushOut() }
                    self.pumpActiveJob()
                case .failure(let error):
                    self.activeJob = nil
                    self.fail(self.protocolError(error, id: cursor.id))
                    self.finishRequest()
                }
            }
        case .replay(let cursor):
            if cursor.isDone {
                cursor.writeEnd(into: &out)
                finishRequest()
                return
            }
            let (from, limit) = cursor.nextPage(pageEvents: pageEvents)
            let filter = cursor.filter
            activeJob?.readInFlight = true
            // The filter runs on the read thread with the read: payload scans stay off the loop.
            core.read(on: eventLoop) { log in
                do {
                    return FilteredPage(try await log.read(from: from, limit: limit), filter)
                } catch EventLogError.corruptPayload(let position, _) where position > from {
                    // The good events before a corrupt one are delivered; the next page starts at
                    // it and answers the error naming its position.
                    return FilteredPage(try await log.read(from: from, limit: Int(position.rawValue - from.rawValue)), filter)
                }
            }.assumeIsolated().whenComplete { result in
                guard var job = self.currentJob(serial), case .replay(var cursor) = job.cursor else { return }
                switch result {
                case .success(let page):
                    cursor.take(page, into: &self.out)
                    job.cursor = .replay(cursor)
                    self.activeJob = job
                    self.flushOut()
                    self.pumpActiveJob()
                case .failure(let error):
                    self.activeJob = nil
                    self.fail(self.protocolError(error, id: cursor.id))
                    self.finishRequest()
                }
            }
        }
    }

    /// The job a page belongs to, marked as no longer waiting for it; nil when it is gone.
    private func currentJob(_ serial: Int) -> PagedJob? {
        guard !state.isClosed, var job = activeJob, job.serial == serial else { return nil }
        job.readInFlight = false
        activeJob = job
        return job
    }

    /// Turns a start point into "everything after this position has yet to be sent", with the
    /// head at the time. A time needs a log lookup, done on the read threads.
    func resolveStart(_ from: StartPoint, id: RequestID?, success: @escaping (Position, Position) -> Void,
                      failure: @escaping (ProtocolError) -> Void) {
        let head = core.hub.head
        switch from {
        case .start: success(.start, head)
        case .now: success(head, head)
        case .last(let n): success(Position(max(0, head.rawValue - Int64(n))), head)
        case .position(let p):
            if p.rawValue > head.rawValue + 1 {
                failure(ProtocolError.positionOutOfRange(id: id, position: p, head: head))
            } else {
                success(Position(max(0, p.rawValue - 1)), head)
            }
        case .time(let t):
            core.read(on: eventLoop) { try await $0.firstPosition(atOrAfter: t) }.assumeIsolated().whenComplete { result in
                switch result {
                case .success(let p?): success(Position(max(0, p.rawValue - 1)), max(head, self.core.hub.head))
                case .success(nil):
                    let now = self.core.hub.head
                    success(now, now)
                case .failure(let error): failure(self.protocolError(error, id: id))
                }
            }
        }
    }
}
