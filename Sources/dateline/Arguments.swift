import ArgumentParser
import DatelineCore
import DatelineProjections

// Domain values typed on the command line. A value that does not parse is a usage error
// (exit status 64) with a message that says what was expected.

extension CalendarDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
    public static var defaultCompletionKind: CompletionKind { .default }
}

extension ActorCode: ExpressibleByArgument {
    public init?(argument: String) {
        guard let code = try? ActorCode(argument) else { return nil }
        self = code
    }
}

extension ActorPair: ExpressibleByArgument {
    public init?(argument: String) {
        guard let pair = try? ActorPair(parsing: argument) else { return nil }
        self = pair
    }
}

extension TimeBucket: ExpressibleByArgument {}

/// A point to start reading the log from: a position, or a time (RFC 3339 or a date).
struct StartPoint: ExpressibleByArgument {
    enum Kind { case position(Position), time(Timestamp) }
    var kind: Kind

    init?(argument: String) {
        if let n = Int64(argument), n >= 0 {
            kind = .position(Position(n))
        } else if let t = Timestamp(parsing: argument) {
            kind = .time(t)
        } else {
            return nil
        }
    }
}
