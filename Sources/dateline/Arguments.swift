import ArgumentParser
import DatelineCore
import DatelineExtraction
import DatelineProtocol
import DatelineService
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
    /// Two different actors: `RUS-RUS` is not a pair.
    public init?(argument: String) {
        guard let pair = try? ActorPair(parsing: argument), pair.first != pair.second else { return nil }
        self = pair
    }
}

extension TimeBucket: ExpressibleByArgument {}

/// Refuses actor codes the gazetteer does not know, so a typo is a usage error rather than an
/// empty timeline.
func requireKnownActors(_ codes: [ActorCode], option: String) throws {
    for code in codes where !KnownActors.contains(code) {
        throw ValidationError("\(option): unknown actor code \(code); use ISO 3166 alpha-3 codes such as RUS or UKR, or NATO, EU, UN, OSCE, WST")
    }
}

/// `--since` and `--until`: the days a timeline query covers, both inclusive.
struct DateRange: ParsableArguments {
    @Option(help: ArgumentHelp("First day (YYYY-MM-DD).", valueName: "DATE"))
    var since: CalendarDate?

    @Option(help: ArgumentHelp("Last day (YYYY-MM-DD).", valueName: "DATE"))
    var until: CalendarDate?

    func validate() throws {
        if let since, let until, until < since { throw ValidationError("--until is before --since") }
    }
}

/// `--type` names: the short names `tail` prints (`article`, `statement`, `tension`), Dateline's
/// event types, or CamelCase types other writers append (see `EventTypeName`).
func eventTypes(_ names: [String]) throws -> Set<EventType> {
    var out = Set<EventType>()
    for name in names {
        do { out.insert(try EventTypeName.resolve(name)) } catch { throw ValidationError("--type \(name): \(error.reason)") }
    }
    return out
}

/// `--pair A-B`, with a message that says what is wrong with it.
func actorPair(_ text: String) throws -> ActorPair {
    let pair: ActorPair
    do { pair = try ActorPair(parsing: text) } catch { throw ValidationError("\(error.reason)") }
    guard pair.first != pair.second else { throw ValidationError("\(pair.first) twice; a pair is two different actors such as RUS-UKR") }
    return pair
}
