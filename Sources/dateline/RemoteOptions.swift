import ArgumentParser
import DatelineClient

/// `--server HOST:PORT`: ask a running `datelined` instead of opening the log file.
struct ServerOption: ParsableArguments {
    @Option(help: ArgumentHelp("Ask the datelined at this address (HOST:PORT) instead of opening --db.", valueName: "HOST:PORT"))
    var server: ServerAddress?

    func connect() throws -> ProtocolClient {
        guard let server else { throw ValidationFailure("no --server given") }
        do {
            return try ProtocolClient(server)
        } catch {
            throw ValidationFailure("cannot reach datelined at \(server): \(error)")
        }
    }
}

extension ServerAddress: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
